using System.Text.Json.Nodes;
using Injector.Core.Kube;

namespace Injector.Core.Templates;

/// <summary>
/// <c>appendMultusNetwork</c>: adds the istio-cni network (in namespace <c>default</c>) to a pod's
/// <c>k8s.v1.cni.cncf.io/networks</c> list, flat or JSON, unless it is there already. The user's own text is kept as
/// written; the entry is appended to it.
/// </summary>
internal static class MultusNetworks
{
    public static string Append(string existing, string network)
    {
        var trimmed = existing.Trim();
        if (trimmed.Length == 0)
        {
            return $"default/{network}";
        }

        if (trimmed.StartsWith('[') && trimmed.EndsWith(']'))
        {
            try
            {
                if (StrictJson.Parse(trimmed) is JsonArray list)
                {
                    if (list.Any(n => n?["name"]?.ToString() == network))
                    {
                        return existing;
                    }

                    var body = trimmed[..^1].TrimEnd();
                    var separator = body.EndsWith('[') ? "" : ", ";
                    return $"{body}{separator}{{\"name\": \"{network}\", \"namespace\": \"default\"}}]";
                }
            }
            catch (System.Text.Json.JsonException)
            {
                // Not JSON after all: treat it as the flat form below.
            }
        }

        var names = existing.Split(',', StringSplitOptions.TrimEntries);
        return names.Contains(network) || names.Contains($"default/{network}") ? existing : $"{existing}, default/{network}";
    }
}
