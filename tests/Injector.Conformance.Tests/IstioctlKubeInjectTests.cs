using System.Text.Json.Nodes;

namespace Injector.Conformance.Tests;

/// <summary>
/// istioctl kube-inject's own cases (../shared/istio-corpus/istioctl-kubeinject/cases.json), run with istioctl's
/// arguments verbatim through the real <c>injector inject</c>: its flag names, a bare-template inject config, an
/// IstioOperator file, repeated <c>-f</c>. A golden must come out as the same text; an error must mean what istioctl's
/// does (our words, checked against the phrase below).
/// </summary>
public sealed class IstioctlKubeInjectTests
{
    /// <summary>istioctl's error pattern → what our message must say for the same failure.</summary>
    private static readonly Dictionary<string, string> SameMeaning = new(StringComparer.Ordinal)
    {
        [@"filename not specified \(see --filename or -f\)"] = "filename not specified",
        ["open missing.yaml: no such file or directory"] = "missing.yaml: no such file or directory",
    };

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        if (Corpus.Directory is not null)
        {
            foreach (var c in Load())
            {
                data.Add(c["name"]!.ToString());
            }
        }
        else
        {
            data.Add("(corpus missing)");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Istioctl_case_gives_its_golden_or_its_error(string name)
    {
        Corpus.RequireOrSkip();

        var c = Load().Single(x => x["name"]!.ToString() == name);
        var args = new List<string> { "inject" };
        args.AddRange(c["args"]!.AsArray().Select(a => a!.ToString()));

        var (code, stdout, stderr) = CliProcessTests.RunIn(Corpus.Directory, args);

        if (c["golden"]?.ToString() is { } golden)
        {
            Assert.True(code == 0, stderr);
            Assert.Equal(File.ReadAllText(Corpus.PathOf(golden)).Trim(), stdout.Trim());
            return;
        }

        var pattern = c["expectError"]!.ToString();
        Assert.True(SameMeaning.TryGetValue(pattern, out var phrase), $"no meaning recorded for istioctl's error '{pattern}'");
        Assert.NotEqual(0, code);
        Assert.Empty(stdout);
        Assert.Contains(phrase, stderr, StringComparison.Ordinal);
    }

    private static IEnumerable<JsonObject> Load() =>
        JsonNode.Parse(File.ReadAllText(Corpus.PathOf("istioctl-kubeinject/cases.json")))!.AsArray().OfType<JsonObject>();
}
