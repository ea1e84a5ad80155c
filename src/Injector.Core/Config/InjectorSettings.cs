using System.Text.Json.Nodes;

namespace Injector.Core.Config;

/// <summary>
/// One immutable configuration snapshot: what istiod reads from the injector ConfigMap (config + values), the mesh
/// ConfigMap and its own environment. Swapped whole on reload; never mutated after loading.
/// </summary>
/// <param name="Config">The injector config (policy, templates, selectors).</param>
/// <param name="Values">The values tree templates read as <c>.Values</c>.</param>
/// <param name="Mesh">The MeshConfig (camelCase JSON) with defaults applied.</param>
/// <param name="NativeSidecars">Whether the cluster supports native sidecars.</param>
/// <param name="Platform">null, or <c>openshift</c>.</param>
public sealed record InjectorSettings(
    InjectionConfig Config,
    JsonObject Values,
    JsonObject Mesh,
    bool NativeSidecars,
    string? Platform)
{
    /// <summary>istiod's environment as the chart fills it from <c>values.pilot.env</c> (COMPLIANCE_POLICY, ENABLE_CLUSTER_TRUST_BUNDLE_API …).</summary>
    public string? Env(string name) => Values["pilot"]?["env"]?[name]?.ToString();

    public string Revision => Values["revision"]?.ToString() is { Length: > 0 } rev ? rev : "default";

    public bool IsOpenShift => string.Equals(Platform, "openshift", StringComparison.OrdinalIgnoreCase);

    /// <summary>Where each template came from: <c>embedded</c>, the config file that defined it, or <c>values.sidecarInjectorWebhook.templates</c>.</summary>
    public IReadOnlyDictionary<string, string> TemplateSources { get; init; } = new Dictionary<string, string>();
}
