using System.Text.Json.Nodes;
using Injector.Core.Config;
using Injector.Core.Kube;
using Injector.Core.Policy;
using Injector.Documents;

namespace Injector.Core.PostProcess;

/// <summary>
/// Prometheus metrics merge (spec §3.7): the app's scrape settings move into the proxy's
/// <c>ISTIO_PROMETHEUS_ANNOTATIONS</c> env and the pod is pointed at the agent's merged endpoint.
/// </summary>
public static class PrometheusMerge
{
    private const string Scrape = "prometheus.io/scrape";
    private const string Port = "prometheus.io/port";
    private const string Path = "prometheus.io/path";
    private const string Targets = "prometheus.istio.io/scrape-targets";
    private const string MergeAnnotation = "prometheus.istio.io/merge-metrics";
    private const string SecurePort = "prometheus.istio.io/secure-port";

    /// <summary>The proxy env that carries the app's own scrape settings to the agent.</summary>
    public const string EnvName = "ISTIO_PROMETHEUS_ANNOTATIONS";

    private static readonly HashSet<int> ReservedPorts = [15000, 15001, 15004, 15006, 15008, 15020, 15021, 15053, 15090];

    /// <summary>Whether an annotation key is one of the prometheus.io variants the merge owns (every non-alphanumeric character counts as '_').</summary>
    public static bool IsPrometheusKey(string key) => Sanitize(key) is "prometheus_io_scrape" or "prometheus_io_port" or "prometheus_io_path";

    /// <param name="pod">The merged pod, changed in place.</param>
    /// <param name="mesh">The mesh config (enablePrometheusMerge).</param>
    /// <param name="statusPort">The agent's status port, where the merged endpoint is.</param>
    /// <param name="earlier">
    /// On re-injection, the earlier proxy's <see cref="EnvName"/>: the pod's annotations already point at the agent, so
    /// the app's settings survive only there and are carried over (otherwise the second pass would drop them).
    /// </param>
    public static void Apply(JsonObject pod, JsonObject mesh, string statusPort, string? earlier = null)
    {
        var annotations = PodJson.Annotations(pod);
        var scrape = Find(annotations, "prometheus_io_scrape");
        if (scrape is not null && GoBool.TryParse(scrape, out var scrapeOn) && !scrapeOn)
        {
            return;
        }

        var enabled = annotations[MergeAnnotation]?.ToString() is { } merge && GoBool.TryParse(merge, out var m)
            ? m
            : mesh["enablePrometheusMerge"] is not JsonValue v || !v.TryGetValue<bool>(out var meshMerge) || meshMerge;
        var proxy = PodJson.Proxy(pod);
        if (!enabled)
        {
            return;
        }

        if (annotations[Port]?.ToString() == statusPort)
        {
            return;
        }

        var port = Find(annotations, "prometheus_io_port");
        var path = Find(annotations, "prometheus_io_path");
        var targets = ParseTargets(annotations[Targets]?.ToString());
        foreach (var p in targets.Select(t => t.Port).Append(port).OfType<string>())
        {
            ValidatePort(p);
        }

        // Without a proxy (proxyless templates) the annotations still point at the agent port, as Istio does.
        if (proxy is not null && (scrape is not null || port is not null || path is not null || targets.Count > 0))
        {
            var config = new JsonObject
            {
                ["scrape"] = scrape ?? "",
                ["path"] = targets.Count > 0 ? targets[0].Path : path ?? "",
                ["port"] = targets.Count > 0 ? targets[0].Port : port ?? "",
            };
            if (targets.Count > 0)
            {
                config["targets"] = new JsonArray([.. targets.Select(t => (JsonNode)new JsonObject { ["port"] = t.Port, ["path"] = t.Path })]);
            }

            Env.Append(proxy, EnvName, CompactJson.Write(config));
        }
        else if (proxy is not null && !string.IsNullOrEmpty(earlier))
        {
            Env.Append(proxy, EnvName, earlier);
        }

        foreach (var key in annotations.Select(kv => kv.Key).Where(k => IsPrometheusKey(k) || k == Targets).ToList())
        {
            annotations.Remove(key);
        }

        annotations[Port] = statusPort;
        annotations[Path] = "/stats/prometheus";
        annotations[Scrape] = "true";

        if (proxy is not null && Env.Value(proxy, "ENVOY_SECURE_MERGED_METRICS_PORT") is { Length: > 0 } secure && secure != "0" && !annotations.ContainsKey(SecurePort))
        {
            annotations[SecurePort] = secure;
        }
    }

    /// <summary>The first annotation whose key reads <paramref name="sanitized"/> once sanitized (compared in place, no copy of each key).</summary>
    private static string? Find(JsonObject annotations, string sanitized)
    {
        foreach (var (key, value) in annotations.Pairs())
        {
            if (SanitizesTo(key, sanitized))
            {
                return value?.ToString();
            }
        }

        return null;
    }

    private static bool SanitizesTo(string key, string sanitized)
    {
        if (key.Length != sanitized.Length)
        {
            return false;
        }

        for (var i = 0; i < key.Length; i++)
        {
            if (Sanitized(key[i]) != sanitized[i])
            {
                return false;
            }
        }

        return true;
    }

    private static char Sanitized(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_';

    private static List<(string Port, string Path)> ParseTargets(string? text)
    {
        var result = new List<(string, string)>();
        foreach (var entry in (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            var port = colon < 0 ? entry : entry[..colon];
            var path = colon < 0 ? "" : entry[(colon + 1)..];
            result.Add((port, path.Length == 0 ? "/metrics" : path));
        }

        return result;
    }

    private static void ValidatePort(string port)
    {
        if (!int.TryParse(port, out var p) || p is < 1 or > 65535)
        {
            throw new InjectionException(DenialReason.InvalidPrometheus, $"invalid prometheus scrape configuration: port '{port}' is not between 1 and 65535");
        }

        if (ReservedPorts.Contains(p))
        {
            throw new InjectionException(DenialReason.InvalidPrometheus, $"invalid prometheus scrape configuration: port {p} is reserved by the proxy");
        }
    }

    private static string Sanitize(string key) =>
        string.Create(key.Length, key, (span, k) =>
        {
            for (var i = 0; i < k.Length; i++)
            {
                span[i] = Sanitized(k[i]);
            }
        });
}
