using System.Text.Json.Nodes;
using Injector.Core.Kube;

namespace Injector.Core.PostProcess;

/// <summary>
/// Env overrides from the webhook path and the cluster/network settings (spec §3.3, last row): each such variable
/// is taken out of its place and re-added at the end of the proxy's env, sorted by name.
/// </summary>
public static class ClusterEnv
{
    public static void Apply(JsonObject pod, IReadOnlyList<KeyValuePair<string, string>> pathEnv, string? clusterName, string? network)
    {
        var proxy = PodJson.Proxy(pod);
        if (proxy is null)
        {
            return;
        }

        var overrides = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(clusterName))
        {
            overrides["ISTIO_META_CLUSTER_ID"] = clusterName;
        }

        if (!string.IsNullOrEmpty(network))
        {
            overrides["ISTIO_META_NETWORK"] = network;
        }

        foreach (var (name, value) in pathEnv)
        {
            overrides[name] = value;
        }

        if (overrides.Count == 0)
        {
            return;
        }

        Env.Take(proxy, overrides.ContainsKey);
        foreach (var (name, value) in overrides)
        {
            Env.Append(proxy, name, value);
        }
    }
}
