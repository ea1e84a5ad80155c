using System.Text.Json.Nodes;
using Injector.Core.Config;

namespace Injector.Core.Templates;

/// <summary>
/// <c>structToJSON</c>: JSON of a Kubernetes object the way Go's encoding/json writes the typed struct, so known
/// types keep Go's field order (a ContainerPort is name, hostPort, containerPort, protocol, hostIP).
/// </summary>
internal static class StructJson
{
    private static readonly string[] ContainerPortOrder = ["name", "hostPort", "containerPort", "protocol", "hostIP"];

    public static string Write(JsonNode? node)
    {
        if (node is JsonObject o && o.ContainsKey("containerPort"))
        {
            var ordered = new JsonObject();
            foreach (var key in ContainerPortOrder.Concat(o.Select(kv => kv.Key)).Distinct())
            {
                if (o.TryGetPropertyValue(key, out var value))
                {
                    ordered[key] = value?.DeepClone();
                }
            }

            node = ordered;
        }

        return CompactJson.Write(node);
    }
}
