using System.Text;

namespace Injector.Documents.Tests;

public sealed class GoYamlCorpusTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_injected_golden_document_round_trips_byte_for_byte()
    {
        Assert.True(IstioCorpus.InjectDirectory is not null || Environment.GetEnvironmentVariable("CI") != "true", IstioCorpus.SkipReason + " (CI=true requires it)");
        Assert.SkipWhen(IstioCorpus.InjectDirectory is null, IstioCorpus.SkipReason);

        var total = 0;
        var exact = 0;
        var injectedMismatches = new StringBuilder();
        var passThrough = new List<string>();
        foreach (var (file, index, text) in IstioCorpus.GoldenDocuments())
        {
            total++;
            var written = GoYaml.Write(GoYaml.Parse(text));
            if (written == text)
            {
                exact++;
                continue;
            }

            // Documents the injector did not touch are echoed verbatim from the input, not re-encoded.
            if (!text.Contains("sidecar.istio.io/status", StringComparison.Ordinal))
            {
                passThrough.Add($"{file}#{index}");
                continue;
            }

            injectedMismatches.AppendLine($"{file}#{index}: first difference at {FirstDifference(text, written)}");
        }

        output.WriteLine($"{exact}/{total} documents round-trip exactly; untouched pass-through documents: {string.Join(", ", passThrough)}");
        Assert.True(total > 0);
        Assert.True(injectedMismatches.Length == 0, injectedMismatches.ToString());
    }

    private static string FirstDifference(string expected, string actual)
    {
        var i = 0;
        while (i < expected.Length && i < actual.Length && expected[i] == actual[i])
        {
            i++;
        }

        var line = expected[..i].Count(c => c == '\n') + 1;
        string Snip(string s) => s.Substring(Math.Max(0, i - 40), Math.Min(s.Length - Math.Max(0, i - 40), 100));
        return $"line {line}\nexpected: {Snip(expected)}\nactual:   {Snip(actual)}";
    }
}
