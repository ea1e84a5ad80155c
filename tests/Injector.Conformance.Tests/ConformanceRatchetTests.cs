namespace Injector.Conformance.Tests;

/// <summary>
/// The ratchet: every case listed in passing-cases.txt must keep passing through both doors (CLI as YAML data,
/// webhook where the case applies) with the embedded templates, and every case in passing-cases-dropin.txt with
/// Istio's own injector ConfigMap as the config dir. The lists only grow.
/// </summary>
public sealed class ConformanceRatchetTests(WebhookServerFixture server) : IClassFixture<WebhookServerFixture>
{
    public static TheoryData<string> Listed() => [.. PassingCases.Read(PassingCases.FilePath)];

    public static TheoryData<string> ListedDropIn() => [.. PassingCases.Read(PassingCases.DropInFilePath)];

    [Theory]
    [MemberData(nameof(Listed))]
    public Task Listed_case_still_passes_through_both_doors(string id) => PassesAsync(id, CaseConfig.Embedded);

    [Theory]
    [MemberData(nameof(ListedDropIn))]
    public Task Listed_case_still_passes_with_Istios_ConfigMap(string id) => PassesAsync(id, CaseConfig.DropIn);

    private async Task PassesAsync(string id, CaseConfig config)
    {
        Corpus.RequireOrSkip();

        var matching = Corpus.Cases.Where(c => c.Id == id).ToList();
        Assert.True(matching.Count > 0, $"case '{id}' is listed in passing-cases.txt but is not in the corpus");
        foreach (var c in matching)
        {
            var cli = CaseRunner.RunCli(c, config);
            Assert.True(!cli.Applies || cli.Passed, $"CLI door: {cli.Detail}");
            var webhook = await WebhookDoor.RunAsync(c, server, config);
            Assert.True(!webhook.Applies || webhook.Passed, $"webhook door: {webhook.Detail}");
        }
    }
}

/// <summary>The checked-in list of case ids that pass.</summary>
public static class PassingCases
{
    public static string FilePath => Path.Combine(Corpus.RepositoryRoot(), "tests", "Injector.Conformance.Tests", "passing-cases.txt");

    public static string DropInFilePath => Path.Combine(Corpus.RepositoryRoot(), "tests", "Injector.Conformance.Tests", "passing-cases-dropin.txt");

    public static IReadOnlyList<string> Read(string path) =>
        [.. File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];
}
