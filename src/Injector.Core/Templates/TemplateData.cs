using System.Text.Json.Nodes;
using Injector.Core.Config;
using Injector.Core.Kube;
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

        return new TemplateDataView(
            new Dictionary<string, object?>(StringComparer.Ordinal)
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
            },
            new GoTypedMaps(meta, spec));
    }
}

/// <summary>
/// The pod's metadata and spec as Go's typed structs read them: a field absent from the JSON has its Go zero value
/// (<c>.Spec.ServiceAccountName</c> is <c>""</c>, not "no value"), found through the Pod schema from the map's path.
/// </summary>
internal sealed class GoTypedMaps(JsonObject meta, JsonObject spec)
{
    /// <summary>Maps whose struct type is known without a path: the two roots and the zero structs handed out.</summary>
    private readonly Dictionary<JsonObject, string> _known = new(ReferenceEqualityComparer.Instance) { [meta] = "ObjectMeta", [spec] = "PodSpec" };

    public bool TryZeroField(JsonObject map, string goName, out object? value)
    {
        value = null;
        if (StructOf(map) is not { } type
            || PodSchema.Keys(type).FirstOrDefault(k => string.Equals(k, goName, StringComparison.OrdinalIgnoreCase)) is not { } key
            || PodSchema.Field(type, key) is not { } field)
        {
            return false;
        }

        value = field.Pointer ? null : field.Type switch
        {
            "string" => "",
            "bool" => false,
            "int32" or "int64" or "IntOrString" => 0L,
            "Quantity" => "0",
            // A nil slice or map reads as an empty one in Go templates (len 0, range nothing, prints [] or map[]).
            _ when field.Type.StartsWith("[]", StringComparison.Ordinal) => new JsonArray(),
            _ when field.Type.StartsWith("map:", StringComparison.Ordinal) => new JsonObject(),
            _ when PodSchema.IsStruct(field.Type) => ZeroStruct(field.Type),
            _ => null,
        };
        return true;
    }

    private JsonObject ZeroStruct(string type)
    {
        var zero = new JsonObject();
        _known[zero] = type;
        return zero;
    }

    /// <summary>The struct a map stands for: from its known root down the keys of its path (list indexes pass to the element type).</summary>
    private string? StructOf(JsonObject map)
    {
        var path = new List<string>();
        JsonNode node = map;
        while (!(node is JsonObject o && _known.ContainsKey(o)))
        {
            if (node.Parent is not { } parent)
            {
                return null;
            }

            if (parent is JsonObject)
            {
                path.Add(node.GetPropertyName());
            }

            node = parent;
        }

        var type = _known[(JsonObject)node];
        for (var i = path.Count - 1; i >= 0; i--)
        {
            if (PodSchema.Field(type, path[i]) is not { } field)
            {
                return null;
            }

            type = field.Type;
            while (type.StartsWith("[]", StringComparison.Ordinal) || type.StartsWith("map:", StringComparison.Ordinal))
            {
                type = type.StartsWith("[]", StringComparison.Ordinal) ? type[2..] : type[4..];
            }
        }

        return PodSchema.IsStruct(type) ? type : null;
    }
}

/// <summary>
/// Istio's SidecarTemplateData struct: its fields by Go name; any other name fails as Go does
/// (<c>can't evaluate field X in type *inject.SidecarTemplateData</c>).
/// </summary>
internal sealed class TemplateDataView(IReadOnlyDictionary<string, object?> fields, GoTypedMaps? typed = null) : ITemplateFields, ITypedMaps
{
    public IReadOnlyDictionary<string, object?> Fields { get; } = fields;

    public bool TryZeroField(JsonObject map, string goName, out object? value)
    {
        value = null;
        return typed is not null && typed.TryZeroField(map, goName, out value);
    }

    /// <summary>Fields of the data istiod's gateway deployment controller renders its templates with (not pod injection data).</summary>
    private static readonly HashSet<string> GatewayDeploymentFields = new(StringComparer.Ordinal)
    {
        "ServiceAccount", "DeploymentName", "InfrastructureLabels", "InfrastructureAnnotations", "GatewayClass", "KubeVersion", "UID", "Name", "ControllerLabel", "Ports", "ServiceType",
    };

    public bool TryGetField(string name, out object? value)
    {
        if (Fields.TryGetValue(name, out value))
        {
            return true;
        }

        value = Unknown(name);
        return true;
    }

    /// <summary>
    /// What an unknown field evaluates to: a function that fails when called. A method of its own, so the closure over
    /// the name is made only here and not on every field read (the compiler makes it where the captured name enters).
    /// </summary>
    private static TemplateFunction Unknown(string name)
    {
        var hint = GatewayDeploymentFields.Contains(name)
            ? " (a field of the data istiod's gateway controller renders Gateway deployment templates with, such as waypoint or kube-gateway: such a template is not a pod injection template)"
            : "";
        return new TemplateFunction(_ => throw new InvalidOperationException($"can't evaluate field {name} in type *inject.SidecarTemplateData{hint}"));
    }
}
