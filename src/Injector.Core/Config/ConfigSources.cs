namespace Injector.Core.Config;

/// <summary>One configuration document's text and where it came from (a file path, named in every error about it).</summary>
public sealed record ConfigText(string Source, string Text);

/// <summary>
/// The configuration as text, read by the caller (the core reads no files). Applied over the embedded defaults in this
/// order: the config dir's <c>config</c>, <c>values</c> and <c>mesh</c>, the injector config file, the IstioOperator
/// or values file, the mesh file, the operator file, <c>--set</c>, then the revision.
/// </summary>
/// <param name="DirConfig">The config dir's <c>config</c> (the istio-sidecar-injector ConfigMap's injector config).</param>
/// <param name="DirValues">The config dir's <c>values</c>: complete, it replaces the embedded values.</param>
/// <param name="DirMesh">The config dir's <c>mesh</c> (the istio ConfigMap's MeshConfig).</param>
/// <param name="InjectConfig">An injector <c>config</c> document (policy, templates …).</param>
/// <param name="ValuesFile">An IstioOperator (<c>spec.values</c>, <c>spec.meshConfig</c>) or a plain values document.</param>
/// <param name="MeshFile">A MeshConfig document.</param>
/// <param name="OperatorFile">An IstioOperator (istioctl's <c>--operatorFileName</c>): its values and meshConfig win over the values and mesh files.</param>
/// <param name="Sets">Istio setting paths: <c>values.global.proxy.image=x</c>, <c>meshConfig.defaultConfig.interceptionMode=TPROXY</c>, <c>components.cni.enabled=true</c>.</param>
/// <param name="NativeSidecars">Whether the cluster runs native sidecars (Istio decides this from kubelet versions).</param>
/// <param name="Platform">null, or <c>openshift</c>.</param>
/// <param name="Revision">The control-plane revision this injector serves (<c>--revision</c>); null keeps <c>values.revision</c>.</param>
public sealed record ConfigTexts(
    ConfigText? DirConfig = null,
    ConfigText? DirValues = null,
    ConfigText? DirMesh = null,
    ConfigText? InjectConfig = null,
    ConfigText? ValuesFile = null,
    ConfigText? MeshFile = null,
    IReadOnlyList<string>? Sets = null,
    bool NativeSidecars = true,
    string? Platform = null,
    ConfigText? OperatorFile = null,
    string? Revision = null);

/// <summary>A configuration that cannot be used, with a message that names the file or setting path at fault.</summary>
public sealed class ConfigException(string message, Exception? inner = null) : Exception(message, inner);
