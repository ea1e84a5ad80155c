using System.Text.Json.Nodes;
using Injector.Core.Config;
using Injector.Templating;

namespace Injector.Core.Templates;

/// <summary>
/// The data every template sees, with Istio's Go field names (spec §6.2). Kubernetes objects are the pod's own JSON,
/// which the engine reads with Go names (<c>.Spec.Containers</c> → <c>containers</c>); ProxyConfig and MeshConfig are
/// <see cref="ProtoView"/>s, which read like the generated protobuf Go structs (getters, wrappers, zero values, enums).
/// </summary>
internal static class TemplateData
{
    public static TemplateDataView Build(
        JsonObject pod,
        string podNamespace,
        WorkloadIdentity workload,
        InjectorSettings settings,
        JsonObject proxyConfig,
        bool nativeSidecars,
        (long Uid, long Gid) proxyIds)
    {
        var meta = (pod["metadata"] as JsonObject)?.DeepClone() as JsonObject ?? [];
        // Istio fills the namespace from the request, and templates index these maps freely, so they always exist.
        meta["namespace"] = podNamespace;
        meta["labels"] ??= new JsonObject();
        meta["annotations"] ??= new JsonObject();
        var spec = (pod["spec"] as JsonObject)?.DeepClone() as JsonObject ?? [];
        spec["containers"] ??= new JsonArray();

        var (proxyImage, initImage) = ProxyImages.Resolve(settings.Values, meta["annotations"] as JsonObject, proxyConfig);
        var inboundMode = settings.Mesh["inboundTrafficPolicy"]?["mode"]?.ToString() == "LOCALHOST" ? "localhost" : "passthrough";

        return new TemplateDataView(new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["TypeMeta"] = new Dictionary<string, object?> { ["Kind"] = workload.Kind, ["APIVersion"] = workload.ApiVersion },
            ["DeploymentMeta"] = new Dictionary<string, object?> { ["Name"] = workload.Name, ["Namespace"] = workload.Namespace },
            ["ObjectMeta"] = meta,
            ["Spec"] = spec,
            ["ProxyConfig"] = ProtoView.ProxyConfig(proxyConfig),
            ["MeshConfig"] = ProtoView.MeshConfig(settings.Mesh),
            ["Values"] = settings.Values,
            ["Revision"] = settings.Revision,
            ["NativeSidecars"] = nativeSidecars,
            ["ProxyImage"] = proxyImage,
            ["ProxyInitImage"] = initImage,
            ["ProxyUID"] = proxyIds.Uid,
            ["ProxyGID"] = proxyIds.Gid,
            ["InboundTrafficPolicyMode"] = inboundMode,
            ["CompliancePolicy"] = settings.Env("COMPLIANCE_POLICY") ?? "",
        });
    }
}

/// <summary>
/// Istio's SidecarTemplateData struct: its fields by Go name; any other name fails as Go does
/// (<c>can't evaluate field X in type *inject.SidecarTemplateData</c>).
/// </summary>
internal sealed class TemplateDataView(IReadOnlyDictionary<string, object?> fields) : ITemplateFields
{
    public IReadOnlyDictionary<string, object?> Fields { get; } = fields;

    public bool TryGetField(string name, out object? value)
    {
        if (Fields.TryGetValue(name, out value))
        {
            return true;
        }

        value = new TemplateFunction(_ => throw new InvalidOperationException($"can't evaluate field {name} in type *inject.SidecarTemplateData"));
        return true;
    }
}
