using System.Text.Json.Nodes;
using Injector.Core.Kube;

namespace Injector.Core.Templates;

/// <summary>
/// <c>appendMultusNetwork EXISTING NETWORK</c>: adds the istio-cni network to a pod's <c>k8s.v1.cni.cncf.io/networks</c>
/// list, as Istio's function does. NETWORK is <c>namespace/name</c> (Istio's chart passes <c>default/istio-cni</c>) or a
/// bare name (older charts), which then has no namespace. The user's text is kept byte for byte:
/// <list type="bullet">
/// <item>empty: the result is NETWORK;</item>
/// <item>a JSON list (the text has a <c>]</c>): unchanged when it does not parse or already has an element of that name
/// and namespace, else <c>, {"name": …, "namespace": …}</c> goes in before the last <c>]</c> (an empty list <c>[]</c>
/// gets the element alone, where Istio writes the invalid <c>[, {…}]</c>);</item>
/// <item>a flat list: unchanged when an entry (trimmed) names the same network and namespace, else
/// <c>, namespace/name</c> is appended.</item>
/// </list>
/// </summary>
internal static class MultusNetworks
{
    public static string Append(string existing, string network)
    {
        var slash = network.IndexOf('/', StringComparison.Ordinal);
        var (ns, name) = slash < 0 ? ("", network) : (network[..slash], network[(slash + 1)..]);
        if (existing.Length == 0)
        {
            return network;
        }

        var close = existing.LastIndexOf(']');
        if (close >= 0)
        {
            JsonArray? list;
            try
            {
                list = StrictJson.Parse(existing) as JsonArray;
            }
            catch (System.Text.Json.JsonException)
            {
                list = null;
            }

            if (list is null || list.Any(n => n is not JsonObject))
            {
                // Not a list of network selections: Istio leaves it as it is rather than guess.
                return existing;
            }

            if (list.Any(n => Text(n?["name"]) == name && Text(n?["namespace"]) == ns))
            {
                return existing;
            }

            var element = ns.Length == 0 ? $"{{\"name\": \"{name}\"}}" : $"{{\"name\": \"{name}\", \"namespace\": \"{ns}\"}}";
            return list.Count == 0
                ? $"{existing[..close]}{element}{existing[close..]}"
                : $"{existing[..close]}, {element}{existing[close..]}";
        }

        foreach (var entry in existing.Split(','))
        {
            if (entry.Trim() == network)
            {
                return existing;
            }
        }

        return $"{existing}, {network}";
    }

    private static string Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
}
