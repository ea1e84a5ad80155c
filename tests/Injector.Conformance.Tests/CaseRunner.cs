using System.Text.Json.Nodes;
using Injector.Core;
using Injector.Core.Config;
using Injector.Core.Platform;
using Injector.Core.Workloads;
using Injector.Documents;

namespace Injector.Conformance.Tests;

/// <summary>The outcome of one case through one door.</summary>
public sealed record DoorOutcome(bool Applies, bool Passed, bool ExactText, string Detail)
{
    public static DoorOutcome NotApplicable { get; } = new(false, false, false, "not applicable");
}

/// <summary>Runs corpus cases through the CLI door (kube-inject) and builds their settings.</summary>
public static class CaseRunner
{
    public static PodInjector InjectorFor(CorpusCase c)
    {
        string? meshFile = null;
        if (c.MeshOverlay is { } overlay)
        {
            // A key ending in '+' appends to a list; the default mesh has none of those lists, so it is a plain set here.
            var mesh = new JsonObject(overlay.Select(kv => KeyValuePair.Create(kv.Key.TrimEnd('+'), kv.Value?.DeepClone())));
            meshFile = Path.Combine(Path.GetTempPath(), $"injector-mesh-{Guid.NewGuid():N}.json");
            File.WriteAllText(meshFile, mesh.ToJsonString());
        }

        try
        {
            var sources = new ConfigSources(
                ValuesFile: c.ValuesFile is null ? null : Corpus.PathOf(c.ValuesFile),
                MeshFile: meshFile,
                Sets: c.Set,
                NativeSidecars: c.NativeSidecars,
                Platform: c.Platform);
            // The corpus's OpenShift namespace test-ns carries these ranges (cases.json README).
            var namespaces = c.Platform == "openshift"
                ? new FixedNamespaceAnnotations(new Dictionary<string, string>
                {
                    [OpenShiftIds.UidRange] = "1000620000/10000",
                    [OpenShiftIds.SupplementalGroups] = "1000620000/10000",
                })
                : null;
            return new PodInjector(SettingsLoader.Load(sources), namespaces);
        }
        finally
        {
            if (meshFile is not null)
            {
                File.Delete(meshFile);
            }
        }
    }

    public static DoorOutcome RunCli(CorpusCase c)
    {
        if (c.WebhookOnly)
        {
            return DoorOutcome.NotApplicable;
        }

        var input = File.ReadAllText(Corpus.PathOf(c.Input));
        string output;
        IReadOnlyList<string> warnings;
        try
        {
            (output, warnings) = KubeInject.Run(input, InjectorFor(c));
        }
        catch (InjectionException e)
        {
            return c.ExpectError is { } expected && e.Message.Contains(expected, StringComparison.OrdinalIgnoreCase)
                ? new DoorOutcome(true, true, true, "failed as expected")
                : new DoorOutcome(true, false, false, $"error: {e.Message}");
        }
        catch (Exception e) when (e is ConfigException)
        {
            return new DoorOutcome(true, false, false, $"config error: {e.Message}");
        }

        if (c.ExpectError is not null)
        {
            return new DoorOutcome(true, false, false, $"expected an error containing '{c.ExpectError}'");
        }

        if (c.ExpectedWarning is { } warning && !warnings.Any(w => w.Contains(warning, StringComparison.Ordinal)))
        {
            return new DoorOutcome(true, false, false, $"missing warning '{warning}' (got: {string.Join(" | ", warnings)})");
        }

        var golden = File.ReadAllText(Corpus.PathOf(c.Golden!));
        var exact = output.Trim() == golden.Trim();
        var expectedDocs = GoYaml.ParseAll(golden);
        var actualDocs = GoYaml.ParseAll(output);
        var sameData = expectedDocs.Count == actualDocs.Count && expectedDocs.Zip(actualDocs).All(p => JsonNode.DeepEquals(p.First, p.Second));
        return new DoorOutcome(true, sameData, exact, sameData ? "ok" : FirstDifference.Describe(expectedDocs, actualDocs));
    }
}
