using System.Text.Json.Nodes;
using Injector.Core.Config;

namespace Injector.Core.Templates;

/// <summary><c>appendMultusNetwork</c>: adds the istio-cni network to a pod's <c>k8s.v1.cni.cncf.io/networks</c> list (flat or JSON form) unless present.</summary>
internal static class MultusNetworks
{
    public static string Append(string existing, string network)
    {
        if (existing.Trim().Length == 0)
        {
            return network;
        }

        if (existing.TrimStart().StartsWith('['))
        {
            try
            {
                if (JsonNode.Parse(existing) is JsonArray list)
                {
                    if (list.Any(n => n?["name"]?.ToString() == network))
                    {
                        return existing;
                    }

                    list.Add(new JsonObject { ["name"] = network, ["namespace"] = "default" });
                    return CompactJson.Write(list);
                }
            }
            catch (System.Text.Json.JsonException)
            {
                // Not JSON after all: treat it as the flat form below.
            }
        }

        var names = existing.Split(',', StringSplitOptions.TrimEntries);
        return names.Contains(network) || names.Contains("default/" + network) ? existing : $"{existing}, {network}";
    }
}
