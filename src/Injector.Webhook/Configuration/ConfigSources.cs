namespace Injector.Webhook;

/// <summary>
/// Where the configuration comes from, shared by <c>injector serve</c> and <c>injector inject</c>: files and flags.
/// <see cref="ConfigFiles"/> reads them into the texts the core loads.
/// </summary>
/// <param name="ConfigDir">A directory holding the files <c>config</c>, <c>values</c> and <c>mesh</c>, the way the ConfigMaps are mounted.</param>
/// <param name="InjectConfigFile">An injector <c>config</c> document (policy, templates …).</param>
/// <param name="ValuesFile">An IstioOperator file (<c>spec.values</c>, <c>spec.meshConfig</c>) or a plain values document.</param>
/// <param name="MeshFile">A MeshConfig document.</param>
/// <param name="Sets">Istio setting paths: <c>values.global.proxy.image=x</c>, <c>meshConfig.defaultConfig.interceptionMode=TPROXY</c>, <c>components.cni.enabled=true</c>.</param>
/// <param name="NativeSidecars">Whether the cluster runs native sidecars (Istio decides this from kubelet versions).</param>
/// <param name="Platform">null, or <c>openshift</c>.</param>
/// <param name="OperatorFile">An IstioOperator whose values and meshConfig win over the values and mesh files (istioctl's <c>--operatorFileName</c>).</param>
/// <param name="Revision">The control-plane revision served (<c>--revision</c>); null keeps the values' <c>revision</c>.</param>
public sealed record ConfigSources(
    string? ConfigDir = null,
    string? InjectConfigFile = null,
    string? ValuesFile = null,
    string? MeshFile = null,
    IReadOnlyList<string>? Sets = null,
    bool NativeSidecars = true,
    string? Platform = null,
    string? OperatorFile = null,
    string? Revision = null);
