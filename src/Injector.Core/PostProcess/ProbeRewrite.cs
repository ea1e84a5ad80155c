using System.Text.Json.Nodes;
using Injector.Core.Config;
using Injector.Core.Kube;
using Injector.Core.Policy;
using Injector.Documents;

namespace Injector.Core.PostProcess;

/// <summary>
/// App probe rewriting (spec §5): HTTP, TCP and gRPC probes and lifecycle handlers of the app containers are sent
/// through the agent's status port, and the originals go to the proxy in <c>ISTIO_KUBE_APP_PROBERS</c>.
/// </summary>
public static class ProbeRewrite
{
    public const string Annotation = "sidecar.istio.io/rewriteAppHTTPProbers";
    public const string EnvName = "ISTIO_KUBE_APP_PROBERS";

    private static readonly (string Field, string Suffix)[] Probes = [("readinessProbe", "readyz"), ("livenessProbe", "livez"), ("startupProbe", "startupz")];
    private static readonly (string Field, string Suffix)[] Handlers = [("preStop", "prestopz"), ("postStart", "poststartz")];

    /// <summary>HTTPGetAction's Go field order, which the JSON in the env follows.</summary>

    public static bool Enabled(JsonObject pod, JsonObject values)
    {
        if (PodJson.AnnotationsOrNull(pod)?[Annotation]?.ToString() is { } text && GoBool.TryParse(text, out var on))
        {
            return on;
        }

        return values["sidecarInjectorWebhook"]?["rewriteAppHTTPProbe"] is not JsonValue v || !v.TryGetValue<bool>(out var b) || b;
    }

    /// <param name="pod">The merged pod, changed in place.</param>
    /// <param name="statusPort">The agent port the probes are sent to.</param>
    /// <param name="previous">The proxy's earlier <c>ISTIO_KUBE_APP_PROBERS</c> when re-injecting; its entries win on a clash.</param>
    /// <returns>How many probes and handlers were rewritten to the status port.</returns>
    public static int Apply(JsonObject pod, int statusPort, string? previous)
    {
        var proxy = PodJson.Proxy(pod);
        if (proxy is null)
        {
            return 0;
        }

        var probers = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var container in PodJson.Items(pod, "initContainers", "containers"))
        {
            var name = PodJson.Name(container);
            if (name is null or PodJson.ProxyContainer)
            {
                continue;
            }

            foreach (var (field, suffix) in Probes)
            {
                if (container[field] is JsonObject probe)
                {
                    Rewrite(container, probe, $"/app-health/{name}/{suffix}", statusPort, probers, isProbe: true);
                }
            }

            foreach (var (field, suffix) in Handlers)
            {
                if (container["lifecycle"]?[field] is JsonObject handler)
                {
                    Rewrite(container, handler, $"/app-lifecycle/{name}/{suffix}", statusPort, probers, isProbe: false);
                }
            }
        }

        var rewritten = probers.Count;
        if (Previous(previous) is { } old)
        {
            foreach (var (key, value) in old.Pairs())
            {
                probers[key] = value?.DeepClone() ?? new JsonObject();
            }
        }

        if (probers.Count == 0)
        {
            return rewritten;
        }

        var json = new JsonObject(probers.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        Env.Take(proxy, n => n == EnvName);
        Env.Append(proxy, EnvName, CompactJson.Write(json));
        return rewritten;
    }

    /// <summary>The earlier env as a map; a value that is not one (hand-edited) is ignored, as the probes are rewritten afresh.</summary>
    private static JsonObject? Previous(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        try
        {
            return StrictJson.Parse(text) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static void Rewrite(JsonObject container, JsonObject handler, string url, int statusPort, IDictionary<string, JsonNode> probers, bool isProbe)
    {
        JsonObject entry;
        if (handler["httpGet"] is JsonObject httpGet)
        {
            if (ResolvePort(container, httpGet["port"]) is not { } port || port == statusPort)
            {
                return;
            }

            var original = (JsonObject)httpGet.DeepClone();
            original["port"] = port;
            entry = new JsonObject { ["httpGet"] = GoRoundTrip.Encode(original, "HTTPGetAction") };
            httpGet["port"] = statusPort;
            httpGet["path"] = url;
            if (httpGet["scheme"]?.ToString() == "HTTPS")
            {
                httpGet["scheme"] = "HTTP";
            }
        }
        else if (handler["tcpSocket"] is JsonObject tcp)
        {
            if (ResolvePort(container, tcp["port"]) is not { } port || port == statusPort)
            {
                return;
            }

            var original = (JsonObject)tcp.DeepClone();
            original["port"] = port;
            entry = new JsonObject { ["tcpSocket"] = GoRoundTrip.Encode(original, "TCPSocketAction") };
            handler.Remove("tcpSocket");
            handler["httpGet"] = new JsonObject { ["path"] = url, ["port"] = statusPort };
        }
        else if (isProbe && handler["grpc"] is JsonObject grpc)
        {
            if (ResolvePort(container, grpc["port"]) is not { } port || port == statusPort)
            {
                return;
            }

            // Go writes the typed GRPCAction: service is a *string without omitempty, so an absent one is "service":null.
            entry = new JsonObject { ["grpc"] = GoRoundTrip.Encode(grpc, "GRPCAction") };
            handler.Remove("grpc");
            handler["httpGet"] = new JsonObject { ["path"] = url, ["port"] = statusPort };
        }
        else
        {
            return;
        }

        if (isProbe && handler["timeoutSeconds"] is JsonValue t && t.TryGetValue<long>(out var timeout) && timeout != 0)
        {
            entry["timeoutSeconds"] = timeout;
        }

        probers[url] = entry;
    }

    /// <summary>An int port, a numeric string, or a named port of the container; null when it cannot be resolved.</summary>
    private static int? ResolvePort(JsonObject container, JsonNode? port)
    {
        if (port is JsonValue v && v.TryGetValue<long>(out var n))
        {
            return (int)n;
        }

        var text = port?.ToString();
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text, out var parsed))
        {
            return parsed;
        }

        var named = (container["ports"] as JsonArray)?.FirstOrDefault(p => p?["name"]?.ToString() == text)?["containerPort"];
        return named is JsonValue cp && cp.TryGetValue<long>(out var resolved) ? (int)resolved : null;
    }
}
