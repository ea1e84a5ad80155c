using System.Text.Json.Nodes;
using Injector.Core.Kube;

namespace Injector.Core.PostProcess;

/// <summary>Writes resource quantities in canonical form (<c>2000m</c> → <c>"2"</c>), as the API server stores them.</summary>
public static class ResourceQuantities
{
    /// <summary>Every container the templates produced (<paramref name="injected"/>, by name), in either list, wherever it ended up.</summary>
    public static void CanonicalizeInjected(JsonObject pod, IReadOnlySet<string> injected)
    {
        foreach (var container in PodJson.Items(pod, "containers", "initContainers"))
        {
            if (PodJson.Name(container) is { } name && injected.Contains(name))
            {
                Canonicalize(container);
            }
        }
    }

    public static void Canonicalize(JsonObject? container)
    {
        foreach (var group in new[] { "requests", "limits" })
        {
            if (container?["resources"]?[group] is not JsonObject values)
            {
                continue;
            }

            foreach (var key in values.Select(kv => kv.Key).ToList())
            {
                if (values[key] is JsonValue v && Quantity.Canonicalize(v.ToString()) is { } canonical)
                {
                    values[key] = canonical;
                }
            }
        }
    }
}
