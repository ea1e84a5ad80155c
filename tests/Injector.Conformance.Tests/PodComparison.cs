using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Injector.Conformance.Tests;

/// <summary>
/// Compares pods semantically, as Istio's webhook test does: both go through the typed Pod model (so 1000m equals 1
/// and an empty struct equals an absent one), the status annotation and fieldRef.apiVersion are ignored.
/// </summary>
public static class PodComparison
{
    public static JsonNode? Normalize(JsonObject pod)
    {
        var typed = KubernetesJson.Deserialize<V1Pod>(pod.ToJsonString());
        typed.Metadata?.Annotations?.Remove("sidecar.istio.io/status");
        foreach (var container in (typed.Spec?.Containers ?? []).Concat(typed.Spec?.InitContainers ?? []))
        {
            foreach (var env in container.Env ?? [])
            {
                if (env.ValueFrom?.FieldRef is { } fieldRef)
                {
                    fieldRef.ApiVersion = null;
                }
            }
        }

        typed.Status = null;
        var node = JsonNode.Parse(KubernetesJson.Serialize(typed));
        Prune(node);
        return node;
    }

    /// <summary>Removes empty maps (and null values) bottom-up.</summary>
    private static bool Prune(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return true;
            case JsonObject o:
                foreach (var key in o.Select(kv => kv.Key).ToList())
                {
                    if (Prune(o[key]))
                    {
                        o.Remove(key);
                    }
                }

                return o.Count == 0;
            case JsonArray a:
                foreach (var item in a)
                {
                    Prune(item);
                }

                return false;
            default:
                return false;
        }
    }
}
