using System.Text.Json.Nodes;
using Injector.Core;
using Injector.Core.Config;
using Injector.Core.Platform;
using Injector.Core.Workloads;
using Injector.Documents;
using Injector.Webhook;

namespace Injector.Conformance.Tests;

/// <summary>The outcome of one case through one door.</summary>
/// <param name="Applies">Whether the case runs through this door.</param>
/// <param name="Passed">Equal to the golden as data, or a deliberate deviation met.</param>
/// <param name="ExactText">Equal to the golden as text.</param>
/// <param name="Detail">What went wrong, or "ok".</param>
/// <param name="Deliberate">Passed by <see cref="DeliberateDeviations"/>: Istio's golden is an invalid pod.</param>
public sealed record DoorOutcome(bool Applies, bool Passed, bool ExactText, string Detail, bool Deliberate = false)
{
    public static DoorOutcome NotApplicable { get; } = new(false, false, false, "not applicable");
}

/// <summary>Which injector configuration a case runs with.</summary>
public enum CaseConfig
{
    /// <summary>The embedded defaults (our own templates) with the case's settings.</summary>
    Embedded,

    /// <summary>Istio's own injector ConfigMap (<c>dropin/</c>) as <c>--config-dir</c>, with the case's settings over its values.</summary>
    DropIn,
}

/// <summary>Runs corpus cases through the CLI door (kube-inject) and builds their settings.</summary>
public static class CaseRunner
{
    /// <summary>Whether a case runs with Istio's default settings (no set, values file, mesh overlay, platform, native opt-out).</summary>
    public static bool DefaultSettings(CorpusCase c) =>
        c.Set.Count == 0 && c.ValuesFile is null && c.MeshOverlay is null && c.NativeSidecars && c.Platform is null;

    /// <summary>The case's mesh overlay as a MeshConfig document (JSON), or null when it has none.</summary>
    public static string? MeshJson(CorpusCase c) => c.MeshOverlay is { } overlay
        // A key ending in '+' appends to a list; the default mesh has none of those lists, so it is a plain set here.
        ? new JsonObject(overlay.Select(kv => KeyValuePair.Create(kv.Key.TrimEnd('+'), kv.Value?.DeepClone()))).ToJsonString()
        : null;

    public static PodInjector InjectorFor(CorpusCase c, CaseConfig config = CaseConfig.Embedded)
    {
        string? meshFile = null;
        if (MeshJson(c) is { } mesh)
        {
            meshFile = Path.Combine(Path.GetTempPath(), $"injector-mesh-{Guid.NewGuid():N}.json");
            File.WriteAllText(meshFile, mesh);
        }

        try
        {
            var sources = new ConfigSources(
                ConfigDir: config == CaseConfig.DropIn ? Corpus.PathOf("dropin") : null,
                ValuesFile: c.ValuesFile is null ? null : Corpus.PathOf(c.ValuesFile),
                MeshFile: meshFile,
                Sets: c.Set,
                NativeSidecars: c.NativeSidecars,
                Platform: c.Platform);
            return InjectorFactory.Build(sources);
        }
        finally
        {
            if (meshFile is not null)
            {
                File.Delete(meshFile);
            }
        }
    }

    /// <summary>The corpus's OpenShift namespace test-ns carries these ranges (cases.json README).</summary>
    public static IReadOnlyDictionary<string, string>? NamespaceAnnotations(CorpusCase c) => c.Platform == "openshift"
        ? new Dictionary<string, string>
        {
            [OpenShiftIds.UidRange] = "1000620000/10000",
            [OpenShiftIds.SupplementalGroups] = "1000620000/10000",
        }
        : null;

    public static DoorOutcome RunCli(CorpusCase c, CaseConfig config = CaseConfig.Embedded)
    {
        if (c.WebhookOnly)
        {
            return DoorOutcome.NotApplicable;
        }

        var input = File.ReadAllText(Corpus.PathOf(c.Input));
        KubeInjectResult result;
        try
        {
            result = KubeInject.Run(input, InjectorFor(c, config), NamespaceAnnotations(c));
        }
        catch (ConfigException e)
        {
            return new DoorOutcome(true, false, false, $"config error: {e.Message}");
        }

        return Judge(c, result.Output, result.Warnings, result.Denial is { } denial ? denial.Message : null, result.Denial?.Code);
    }

    /// <summary>
    /// The CLI door's verdict on what an injection gave: the output (null when denied), the warnings and the denial's
    /// message and reason, whether from <see cref="KubeInject"/> in process or from the executable's stdout and stderr.
    /// An expected error must be in the message, not only in the reason's name.
    /// </summary>
    public static DoorOutcome Judge(CorpusCase c, string? output, IReadOnlyList<string> warnings, string? denial, string? reason = null)
    {
        if (denial is not null || output is null)
        {
            return c.ExpectError is { } expected && denial?.Contains(expected, StringComparison.OrdinalIgnoreCase) == true
                ? new DoorOutcome(true, true, true, "failed as expected")
                : new DoorOutcome(true, false, false, $"error: {reason}: {denial}");
        }

        if (c.ExpectError is not null)
        {
            return new DoorOutcome(true, false, false, $"expected an error containing '{c.ExpectError}'");
        }

        if (c.ExpectedWarning is { } warning && !warnings.Any(w => w.Contains(warning, StringComparison.Ordinal)))
        {
            return new DoorOutcome(true, false, false, $"missing warning '{warning}' (got: {string.Join(" | ", warnings)})");
        }

        if (DeliberateDeviations.Applies(c))
        {
            return DeliberateDeviations.Check(c, WebhookPods.FromYaml(output)) is { } problem
                ? new DoorOutcome(true, false, false, $"deliberate deviation not met: {problem}")
                : new DoorOutcome(true, true, false, $"deliberate deviation: {DeliberateDeviations.Why(c)}", Deliberate: true);
        }

        var golden = File.ReadAllText(Corpus.PathOf(c.Golden!));
        var exact = output.Trim() == golden.Trim();
        var expectedDocs = GoYaml.ParseAll(golden);
        var actualDocs = GoYaml.ParseAll(output);
        var sameData = expectedDocs.Count == actualDocs.Count && expectedDocs.Zip(actualDocs).All(p => JsonNode.DeepEquals(p.First, p.Second));
        return new DoorOutcome(true, sameData, exact, sameData ? "ok" : FirstDifference.Describe(expectedDocs, actualDocs));
    }
}
