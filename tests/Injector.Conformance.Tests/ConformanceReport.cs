using System.Text;

namespace Injector.Conformance.Tests;

/// <summary>
/// <c>make conformance</c>: runs every corpus case through both doors and writes the score per group and in total to
/// artifacts/conformance.txt (and artifacts/conformance-passing.txt, the ids that pass both doors). Runs only when
/// INJECTOR_CONFORMANCE_REPORT=1, so <c>make test</c> stays fast; the ratchet is what guards regressions.
/// </summary>
public sealed class ConformanceReport(WebhookServerFixture server) : IClassFixture<WebhookServerFixture>
{
    [Fact]
    public async Task Write_report()
    {
        if (Environment.GetEnvironmentVariable("INJECTOR_CONFORMANCE_REPORT") != "1")
        {
            Assert.Skip("set INJECTOR_CONFORMANCE_REPORT=1 (make conformance) to score the whole corpus");
        }

        Corpus.RequireOrSkip();

        var rows = await RunAllAsync(CaseConfig.Embedded);
        var dropIn = await RunAllAsync(CaseConfig.DropIn);

        var report = new StringBuilder();
        report.AppendLine("Istio golden corpus conformance");
        report.AppendLine($"{"group",-28} {"CLI data",10} {"CLI text",10} {"webhook",10}");
        var groups = rows.SelectMany(r => (r.Case.Groups.Count == 0 ? ["default-deployment-pod"] : r.Case.Groups).Select(g => (Group: g, Row: r)))
            .GroupBy(x => x.Group).OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var g in groups)
        {
            report.AppendLine($"{g.Key,-28} {Score(g.Select(x => x.Row.Cli), exact: false),10} {Score(g.Select(x => x.Row.Cli), exact: true),10} {Score(g.Select(x => x.Row.Webhook), exact: false),10}");
        }

        report.AppendLine($"{"TOTAL",-28} {Score(rows.Select(r => r.Cli), exact: false),10} {Score(rows.Select(r => r.Cli), exact: true),10} {Score(rows.Select(r => r.Webhook), exact: false),10}");
        var deliberate = rows.Where(r => r.Cli.Deliberate || r.Webhook.Deliberate).ToList();
        report.AppendLine($"Of these, {deliberate.Count} case(s) pass as deliberate deviations (Istio's golden is a pod the API server refuses or one re-injection would change; the injector does better):");
        foreach (var (c, cli, webhook) in deliberate)
        {
            report.AppendLine($"  {c.Id}: {DeliberateDeviations.Why(c)}");
        }

        report.AppendLine();
        report.AppendLine("Failures:");
        AppendFailures(report, rows);

        // Istio's own ConfigMap: the goldens were rendered by these templates, so every case must give its golden.
        report.AppendLine();
        report.AppendLine("With Istio's own injector ConfigMap (dropin/ as --config-dir), the case's settings over its values:");
        report.AppendLine($"{"cases",-28} {"CLI data",10} {"CLI text",10} {"webhook",10}");
        foreach (var (label, subset) in new[] { ("default settings", dropIn.Where(r => CaseRunner.DefaultSettings(r.Case)).ToList()), ("TOTAL", dropIn) })
        {
            report.AppendLine($"{label,-28} {Score(subset.Select(r => r.Cli), exact: false),10} {Score(subset.Select(r => r.Cli), exact: true),10} {Score(subset.Select(r => r.Webhook), exact: false),10}");
        }

        report.AppendLine();
        report.AppendLine("Failures with the drop-in:");
        AppendFailures(report, dropIn);

        var artifacts = Path.Combine(Corpus.RepositoryRoot(), "artifacts");
        Directory.CreateDirectory(artifacts);
        await File.WriteAllTextAsync(Path.Combine(artifacts, "conformance.txt"), report.ToString(), TestContext.Current.CancellationToken);
        var passing = rows.Where(r => (!r.Cli.Applies || r.Cli.Passed) && (!r.Webhook.Applies || r.Webhook.Passed))
            .Select(r => r.Case.Id).Distinct().Order(StringComparer.Ordinal);
        await File.WriteAllLinesAsync(Path.Combine(artifacts, "conformance-passing.txt"), passing, TestContext.Current.CancellationToken);
        var passingDropIn = dropIn.Where(r => (!r.Cli.Applies || r.Cli.Passed) && (!r.Webhook.Applies || r.Webhook.Passed))
            .Select(r => r.Case.Id).Distinct().Order(StringComparer.Ordinal);
        await File.WriteAllLinesAsync(Path.Combine(artifacts, "conformance-passing-dropin.txt"), passingDropIn, TestContext.Current.CancellationToken);
    }

    private async Task<List<(CorpusCase Case, DoorOutcome Cli, DoorOutcome Webhook)>> RunAllAsync(CaseConfig config)
    {
        var rows = new List<(CorpusCase Case, DoorOutcome Cli, DoorOutcome Webhook)>();
        foreach (var c in Corpus.Cases)
        {
            DoorOutcome cli, webhook;
            try
            {
                cli = CaseRunner.RunCli(c, config);
            }
            catch (Exception e)
            {
                cli = new DoorOutcome(true, false, false, $"crash: {e.GetType().Name}: {e.Message}");
            }

            try
            {
                webhook = await WebhookDoor.RunAsync(c, server, config);
            }
            catch (Exception e)
            {
                webhook = new DoorOutcome(true, false, false, $"crash: {e.GetType().Name}: {e.Message}");
            }

            rows.Add((c, cli, webhook));
        }

        return rows;
    }

    private static void AppendFailures(StringBuilder report, IEnumerable<(CorpusCase Case, DoorOutcome Cli, DoorOutcome Webhook)> rows)
    {
        foreach (var (c, cli, webhook) in rows)
        {
            if (cli.Applies && !cli.Passed)
            {
                report.AppendLine($"  CLI     {c.Id}: {cli.Detail}");
            }

            if (webhook.Applies && !webhook.Passed)
            {
                report.AppendLine($"  webhook {c.Id}: {webhook.Detail}");
            }
        }
    }

    private static string Score(IEnumerable<DoorOutcome> outcomes, bool exact)
    {
        var applicable = outcomes.Where(o => o.Applies).ToList();
        var passed = applicable.Count(o => exact ? o.Passed && o.ExactText : o.Passed);
        return $"{passed}/{applicable.Count}";
    }
}
