using System.Diagnostics;

namespace Injector.Webhook.Tests;

/// <summary>Bounded waits for what background work (watches, Event writes, exporters) makes true a little later.</summary>
internal static class Eventually
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// <summary>Waits until <paramref name="condition"/> holds; fails naming <paramref name="what"/> after <paramref name="seconds"/>.</summary>
    public static Task True(Func<bool> condition, string what, int seconds = 15) => True(() => Task.FromResult(condition()), what, seconds);

    /// <inheritdoc cref="True(Func{bool}, string, int)"/>
    public static async Task True(Func<Task<bool>> condition, string what, int seconds = 15)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(seconds), $"not within {seconds} s: {what}");
            await Task.Delay(Poll, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits until <paramref name="find"/> finds something, and returns it.</summary>
    public static async Task<T> Found<T>(Func<T?> find, string what, int seconds = 15)
        where T : class
    {
        T? found = null;
        await True(() => (found = find()) is not null, what, seconds);
        return found!;
    }
}
