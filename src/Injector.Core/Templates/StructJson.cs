using System.Text.Json.Nodes;
using Injector.Core.Config;
using Injector.Core.Kube;

namespace Injector.Core.Templates;

/// <summary>
/// <c>structToJSON</c>: JSON of a Kubernetes object the way Go's encoding/json writes the typed struct, so known
/// types keep Go's field order (a ContainerPort is name, hostPort, containerPort, protocol, hostIP).
/// </summary>
internal static class StructJson
{
    public static string Write(JsonNode? node)
    {
        if (node is JsonObject o && o.ContainsKey("containerPort"))
        {
            // Istio ranges over typed corev1.ContainerPorts: Go writes declaration order, drops zero omitempty fields
            // (hostPort: 0, protocol: "") and has no field for unknown keys.
            node = GoRoundTrip.Encode(o, "ContainerPort");
        }

        return CompactJson.Write(node);
    }
}
