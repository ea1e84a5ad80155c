using Injector.Core.Workloads;

namespace Injector.Conformance.Tests;

/// <summary>
/// The render memo (a template's kept renders, found by what they read of the pod) gives every corpus case what an
/// injector of its own gives: one injector, as a webhook keeps it, injects every case with default settings, forward
/// and then backward (so each case meets renders kept for the others), with our templates and with Istio's.
/// </summary>
public sealed class RenderMemoConformanceTests
{
    [Theory]
    [InlineData(CaseConfig.Embedded)]
    [InlineData(CaseConfig.DropIn)]
    public void A_shared_injector_gives_every_case_what_its_own_injector_gives(CaseConfig config)
    {
        Corpus.RequireOrSkip();
        var cases = Corpus.Cases.Where(c => CaseRunner.DefaultSettings(c) && !c.WebhookOnly).ToList();
        Assert.True(cases.Count > 40, $"only {cases.Count} cases");
        // Cases are told apart by position: one input may appear with other flags under one id.
        var inputs = cases.Select(c => File.ReadAllText(Corpus.PathOf(c.Input))).ToList();
        var alone = cases.Select((c, i) => Outcome(KubeInject.Run(inputs[i], CaseRunner.InjectorFor(c, config), null))).ToList();

        var shared = CaseRunner.InjectorFor(cases[0], config);
        var order = Enumerable.Range(0, cases.Count).Concat(Enumerable.Range(0, cases.Count).Reverse()).ToList();
        foreach (var i in order)
        {
            var outcome = Outcome(KubeInject.Run(inputs[i], shared, null));
            Assert.True(alone[i] == outcome, $"case {cases[i].Id} differs with a shared injector:\n{FirstLine(alone[i], outcome)}");
        }

        // The second pass must have found renders: every case was rendered once already.
        var memo = shared.Templates.MemoOf("sidecar");
        Assert.True(memo.Kept > 0, "no render was kept");
        Assert.True(memo.Kept < cases.Count, $"{memo.Kept} renders kept for {cases.Count} cases: the memo found none");
    }

    private static string FirstLine(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        var i = 0;
        while (i < e.Length && i < a.Length && e[i] == a[i])
        {
            i++;
        }

        return $"line {i + 1}:\n  alone:  {(i < e.Length ? e[i] : "(end)")}\n  shared: {(i < a.Length ? a[i] : "(end)")}";
    }

    private static string Outcome(KubeInjectResult result) =>
        $"{result.Output}\n--- warnings\n{string.Join('\n', result.Warnings)}\n--- denial\n{result.Denial?.Code}: {result.Denial?.Message}";
}
