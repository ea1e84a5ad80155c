using System.Text.Json.Nodes;
using Injector.Core.Kube;

namespace Injector.Core.PostProcess;

/// <summary>Writes resource quantities in canonical form (<c>2000m</c> → <c>"2"</c>), as the API server stores them.</summary>
public static class ResourceQuantities
{
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
