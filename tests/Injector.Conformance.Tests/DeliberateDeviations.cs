using System.Text.Json.Nodes;
using Injector.Core.Kube;

namespace Injector.Conformance.Tests;

/// <summary>
/// Corpus cases whose golden is a pod the API server refuses: there the injector deliberately does better than Istio,
/// and the case passes when the output is a valid pod with what the case is about, instead of equal to the golden.
/// Each entry says why; <c>make conformance</c> counts them apart.
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
