using System.Text.Json;
using System.Text.Json.Nodes;

namespace Injector.Conformance.Tests;

/// <summary>One case of Istio's golden corpus (cases.json).</summary>
public sealed record CorpusCase(
    string Name,
    string Input,
    string? Golden,
    IReadOnlyList<string> Set,
    JsonObject? MeshOverlay,
    string? ValuesFile,
    bool NativeSidecars,
    string? Platform,
    string? ExpectError,
    string? ExpectedWarning,
    bool KubeInjectOnly,
    bool WebhookOnly,
    IReadOnlyList<string> Groups)
{
    /// <summary>A stable id: the golden name, plus the native-sidecar setting when the same golden is checked both ways.</summary>
    public string Id => NativeSidecars ? Name : $"{Name} [native disabled]";

    public override string ToString() => Id;
}

/// <summary>Finds Istio's golden corpus: INJECTOR_ISTIO_CORPUS, else ../shared/istio-corpus beside the repository.</summary>
public static class Corpus
{
    private static readonly Lazy<string?> Root = new(Locate);
    private static readonly Lazy<IReadOnlyList<CorpusCase>> AllCases = new(Load);

    public static string? Directory => Root.Value;

    public static IReadOnlyList<CorpusCase> Cases => AllCases.Value;

    public static string SkipReason =>
        "Istio's golden corpus was not found: set INJECTOR_ISTIO_CORPUS or place it at ../shared/istio-corpus beside the repository";

    /// <summary>
    /// Skips a test that needs the corpus when it is missing, except under CI (CI=true), where a missing corpus fails the
    /// run: a green CI must have run the golden pipeline. The project's own goldens (tests/golden) run without it.
    /// </summary>
    public static void RequireOrSkip()
    {
        if (Directory is not null)
        {
            return;
        }

        Assert.True(Environment.GetEnvironmentVariable("CI") != "true", SkipReason + " (CI=true requires it)");
        Assert.Skip(SkipReason);
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Injector.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root (Injector.sln) not found");
    }

    public static string PathOf(string relative) => System.IO.Path.Combine(Directory!, relative);

    private static string? Locate()
    {
        var fromEnv = Environment.GetEnvironmentVariable("INJECTOR_ISTIO_CORPUS");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(System.IO.Path.Combine(fromEnv, "cases.json")))
        {
            return fromEnv;
        }

        var beside = System.IO.Path.GetFullPath(System.IO.Path.Combine(RepositoryRoot(), "..", "shared", "istio-corpus"));
        return File.Exists(System.IO.Path.Combine(beside, "cases.json")) ? beside : null;
    }

    private static IReadOnlyList<CorpusCase> Load()
    {
        if (Directory is null)
        {
            return [];
        }

        var cases = JsonNode.Parse(File.ReadAllText(PathOf("cases.json"))) as JsonArray ?? [];
        return [.. cases.OfType<JsonObject>().Select(c => new CorpusCase(
            Name: c["name"]!.ToString(),
            Input: c["input"]!.ToString(),
            Golden: c["golden"]?.ToString(),
            Set: [.. (c["set"] as JsonArray ?? []).Select(s => s!.ToString())],
            MeshOverlay: c["meshOverlay"] as JsonObject,
            ValuesFile: c["valuesFile"]?.ToString(),
            NativeSidecars: c["nativeSidecars"]?.ToString() != "disabled",
            Platform: c["platform"]?.ToString(),
            ExpectError: c["expectError"]?.ToString(),
            ExpectedWarning: c["expectedWarning"]?.ToString(),
            KubeInjectOnly: c["kubeInjectOnly"]?.GetValue<bool>() ?? false,
            WebhookOnly: c["webhookOnly"]?.GetValue<bool>() ?? false,
            Groups: [.. (c["groups"] as JsonArray ?? []).Select(s => s!.ToString())]))];
    }

    public static JsonSerializerOptions Json { get; } = new() { WriteIndented = false };
}
