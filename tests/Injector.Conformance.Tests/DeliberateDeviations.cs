using System.Text.Json.Nodes;
using Injector.Core.Kube;

namespace Injector.Conformance.Tests;

/// <summary>
/// Corpus cases whose golden is a pod the API server refuses, or one that re-injecting would change: there the injector
/// deliberately does better than Istio, and the case passes when the output is a valid pod with what the case is about,
/// instead of equal to the golden. Each entry says why; <c>make conformance</c> counts them apart.
/// </summary>
public static class DeliberateDeviations
{
    private sealed record Deviation(string Why, Func<JsonObject, string?> Check);

    private static readonly Dictionary<string, Deviation> ById = new(StringComparer.Ordinal)
    {
        ["only-proxy-container.yaml.injected"] = new(
            "Istio moves the only container into initContainers and emits containers: [] (spec.containers: Required value); the proxy stays a regular container",
            pod => Names(pod, "containers") is ["istio-proxy"] && Names(pod, "initContainers") is ["istio-init"]
                && PodJson.Find(pod, "containers", "istio-proxy")?["image"] is not null
                ? null
                : $"want containers [istio-proxy] with an image and initContainers [istio-init], got containers [{string.Join(",", Names(pod, "containers"))}], initContainers [{string.Join(",", Names(pod, "initContainers"))}]"),
        ["sidecar-spire.yaml.injected"] = new(
            "Istio merges the spire template's containers[istio-proxy] beside the native proxy: two containers named istio-proxy (Duplicate value); the mount goes to the native proxy",
            pod => !Names(pod, "containers").Contains("istio-proxy")
                && PodJson.Find(pod, "initContainers", "istio-proxy")?["volumeMounts"] is JsonArray mounts
                && mounts.Any(m => m?["name"]?.ToString() == "workload-socket" && m["mountPath"]?.ToString() == "/var/run/secrets/workload-spiffe-uds")
                ? null
                : "want the workload-socket mount on the native istio-proxy and no istio-proxy in containers"),
        ["merge-probers.yaml.injected"] = new(
            "the pod carries a classic-mode injection; its old istio-proxy (status-listed under containers) is that injection's, not the user's: Istio checks only the list the new proxy lands in, keeps the stale proxy as an override and re-injecting its output is not a no-op; the fresh native proxy is rendered, the old probers still merged",
            pod =>
            {
                var proxy = PodJson.Find(pod, "initContainers", "istio-proxy");
                string? Env(string name) => (proxy?["env"] as JsonArray)?.FirstOrDefault(e => e?["name"]?.ToString() == name)?["value"]?.ToString();
                const string probers = "{\"/app-health/hello/livez\":{\"httpGet\":{\"port\":80}},\"/app-health/hello/readyz\":{\"httpGet\":{\"port\":3333}},\"/app-health/new/livez\":{\"httpGet\":{\"path\":\"/testLive\",\"port\":8008}},\"/app-health/world/livez\":{\"httpGet\":{\"port\":90}}}";
                return proxy is not null && !Names(pod, "containers").Contains("istio-proxy")
                    && Env("ISTIO_KUBE_APP_PROBERS") == probers && Env("ISTIO_META_APP_CONTAINERS") == "hello,world,new" && Env("JWT_POLICY") is null
                    ? null
                    : $"want a fresh native proxy with the merged probers, got APP_CONTAINERS {Env("ISTIO_META_APP_CONTAINERS")}, PROBERS {Env("ISTIO_KUBE_APP_PROBERS")}, JWT_POLICY {Env("JWT_POLICY")}";
            }),
    };

    public static bool Applies(CorpusCase c) => ById.ContainsKey(c.Id);

    public static string Why(CorpusCase c) => ById[c.Id].Why;

    /// <summary>Null when every pod is valid and has what the case is about; else the first problem.</summary>
    public static string? Check(CorpusCase c, IReadOnlyList<JsonObject> pods)
    {
        var deviation = ById[c.Id];
        if (pods.Count == 0)
        {
            return "no pod in the output";
        }

        foreach (var pod in pods)
        {
            if (PodValidity.Problems(pod).FirstOrDefault() is { } invalid)
            {
                return $"invalid pod: {invalid}";
            }

            if (deviation.Check(pod) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static List<string> Names(JsonObject pod, string field) =>
        [.. (pod["spec"]?[field] as JsonArray ?? []).Select(c => c?["name"]?.ToString() ?? "")];
}
