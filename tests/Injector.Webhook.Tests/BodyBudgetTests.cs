namespace Injector.Webhook.Tests;

/// <summary>The bound on bodies in flight: immediate while there is room, waiting in turn when there is not.</summary>
public sealed class BodyBudgetTests
{
    private const long Unit = 64 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_body_that_fits_is_leased_at_once_and_its_room_comes_back()
    {
        using var budget = new BodyBudget(4 * Unit);

        var lease = budget.AcquireAsync(4 * Unit, Ct);

        Assert.True(lease.IsCompletedSuccessfully);
        (await lease)!.Dispose();
        using var again = await budget.AcquireAsync(4 * Unit, Ct);
        Assert.NotNull(again);
    }

    [Fact]
    public async Task Past_the_budget_a_body_waits_for_room_and_others_wait_behind_it()
    {
        using var budget = new BodyBudget(4 * Unit);
        var first = await budget.AcquireAsync(2 * Unit, Ct);

        // The large one takes what is free and waits for the rest; the small one behind it waits its turn.
        var large = budget.AcquireAsync(4 * Unit, Ct).AsTask();
        var small = budget.AcquireAsync(1, Ct).AsTask();
        await Task.Delay(50, Ct);
        Assert.False(large.IsCompleted);
        Assert.False(small.IsCompleted);

        first!.Dispose();
        var largeLease = await large.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.NotNull(largeLease);
        Assert.False(small.IsCompleted);

        largeLease.Dispose();
        using var smallLease = await small.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.NotNull(smallLease);
    }

    [Fact]
    public async Task A_wait_that_is_cancelled_gets_nothing_and_gives_back_what_it_took()
    {
        using var budget = new BodyBudget(4 * Unit);
        var held = await budget.AcquireAsync(3 * Unit, Ct);
        using var cancel = new CancellationTokenSource();

        var waiting = budget.AcquireAsync(2 * Unit, cancel.Token).AsTask();
        await Task.Delay(50, Ct);
        await cancel.CancelAsync();

        Assert.Null(await waiting.WaitAsync(TimeSpan.FromSeconds(5), Ct));
        Assert.Null(await budget.AcquireAsync(1, cancel.Token));

        // The one unit the cancelled wait had taken is free again: the whole budget can be leased.
        held!.Dispose();
        var whole = budget.AcquireAsync(4 * Unit, Ct);
        Assert.True(whole.IsCompletedSuccessfully);
        (await whole)!.Dispose();
    }
}
