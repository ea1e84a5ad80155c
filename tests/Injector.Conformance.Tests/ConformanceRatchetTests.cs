namespace Injector.Conformance.Tests;

/// <summary>
/// The ratchet: every case listed in passing-cases.txt must keep passing through both doors (CLI as YAML data,
/// webhook where the case applies). The list only grows.
/// </summary>
public sealed class ConformanceRatchetTests(WebhookServerFixture server) : IClassFixture<WebhookServerFixture>
{
    public static TheoryData<string> Listed()
    {
        var data = new TheoryData<string>();
        foreach (var id in PassingCases.Read())
        {
            data.Add(id);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Listed))]
    public async Task Listed_case_still_passes_through_both_doors(string id)
    {
        if (Corpus.Directory is null)
        {
            Assert.Skip(Corpus.SkipReason);
        }

        var matching = Corpus.Cases.Where(c => c.Id == id).ToList();
        Assert.True(matching.Count > 0, $"case '{id}' is listed in passing-cases.txt but is not in the corpus");
        foreach (var c in matching)
        {
            var cli = CaseRunner.RunCli(c);
            Assert.True(!cli.Applies || cli.Passed, $"CLI door: {cli.Detail}");
            var webhook = await WebhookDoor.RunAsync(c, server);
            Assert.True(!webhook.Applies || webhook.Passed, $"webhook door: {webhook.Detail}");
        }
    }
}

/// <summary>The checked-in list of case ids that pass.</summary>
public static class PassingCases
{
    public static string FilePath => Path.Combine(Corpus.RepositoryRoot(), "tests", "Injector.Conformance.Tests", "passing-cases.txt");

    public static IReadOnlyList<string> Read() =>
        [.. File.ReadAllLines(FilePath).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];
}
