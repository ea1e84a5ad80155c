using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Injector.Core;
using Injector.Core.Explain;
using Injector.Core.Workloads;
using Injector.Documents;

namespace Injector.Webhook.Console;

/// <summary>
/// Explains every pod of a manifest (CLI <c>injector explain</c> and the console's <c>POST /api/v1/explain</c> share
/// it): each Pod document, and each workload's pod as its controller creates it, in the workload's namespace.
/// </summary>
public static class ManifestExplainer
{
    /// <summary>The explanations, in document order; throws <see cref="YamlFormatException"/> when the manifest does not parse.</summary>
    public static IReadOnlyList<Explanation> Explain(
        PodInjector injector,
        string manifest,
        string defaultNamespace,
        IReadOnlyDictionary<string, string> namespaceLabels,
        JsonObject? webhookConfiguration) =>
        Explain(injector, Pods(manifest, defaultNamespace), _ => namespaceLabels, webhookConfiguration);

    /// <summary>
    /// The pods of a manifest already read (<see cref="Pods"/>), each namespace's labels looked up (the console in a
    /// cluster reads them), the work stopped when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public static IReadOnlyList<Explanation> Explain(
        PodInjector injector,
        IReadOnlyList<(JsonObject Pod, string Namespace)> pods,
        Func<string, IReadOnlyDictionary<string, string>> namespaceLabels,
        JsonObject? webhookConfiguration,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(namespaceLabels);
        var explanations = new List<Explanation>(pods.Count);
        foreach (var (pod, ns) in pods)
        {
            cancellationToken.ThrowIfCancellationRequested();
            explanations.Add(InjectionExplainer.Explain(injector, pod, ns, namespaceLabels(ns), webhookConfiguration, cancellationToken: cancellationToken));
        }

        return explanations;
    }

    /// <summary>
    /// The pods of a manifest (<see cref="WorkloadPods"/>), read within the YAML bounds given; more than
    /// <paramref name="maxPods"/> is a <see cref="ManifestException"/> (the console bounds each request's work).
    /// </summary>
    public static IReadOnlyList<(JsonObject Pod, string Namespace)> Pods(string manifest, string defaultNamespace, YamlLimits? limits = null, int maxPods = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return Bounded(WorkloadPods.Of(GoYaml.ParseAll(manifest, limits ?? YamlLimits.Document).OfType<JsonObject>(), defaultNamespace), maxPods);
    }

    /// <summary>The pods, failing with <see cref="ManifestException"/> past <paramref name="maxPods"/>.</summary>
    public static IReadOnlyList<(JsonObject Pod, string Namespace)> Bounded(IEnumerable<(JsonObject Pod, string Namespace)> pods, int maxPods)
    {
        ArgumentNullException.ThrowIfNull(pods);
        var list = new List<(JsonObject Pod, string Namespace)>();
        foreach (var pod in pods)
        {
            if (list.Count == maxPods)
            {
                throw new ManifestException($"the manifest holds more than {maxPods} pods and workloads; send at most {maxPods} at a time");
            }

            list.Add(pod);
        }

        return list;
    }

    /// <summary>The first MutatingWebhookConfiguration of a YAML text; null when there is none.</summary>
    public static JsonObject? WebhookConfiguration(string yaml) =>
        GoYaml.ParseAll(yaml, YamlLimits.Default).OfType<JsonObject>().FirstOrDefault(d => d["kind"]?.ToString() == "MutatingWebhookConfiguration");

    /// <summary>
    /// The webhook configuration a revision is installed with, from the default one, as manifests/overlays/revision-canary
    /// makes it: only the <c>rev.*</c> entries (istio-injection=enabled and sidecar.istio.io/inject=true stay with the
    /// default revision), selecting <c>istio.io/rev=REVISION</c>. The default revision (or none) keeps the configuration.
    /// </summary>
    public static JsonObject? ForRevision(JsonObject? configuration, string? revision)
    {
        if (configuration is null || revision is null or "" or "default")
        {
            return configuration;
        }

        var copy = (JsonObject)configuration.DeepClone();
        if (copy["metadata"] is JsonObject meta && meta["name"] is JsonValue name)
        {
            meta["name"] = $"{name}-{revision}";
        }

        var entries = new JsonArray();
        foreach (var entry in (copy["webhooks"] as JsonArray ?? []).OfType<JsonObject>().ToList())
        {
            if (entry["name"]?.ToString()?.StartsWith("rev.", StringComparison.Ordinal) != true)
            {
                continue;
            }

            foreach (var selector in new[] { entry["namespaceSelector"], entry["objectSelector"] })
            {
                foreach (var expression in (selector?["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    if (expression["key"]?.ToString() == "istio.io/rev" && expression["operator"]?.ToString() == "In")
                    {
                        expression["values"] = new JsonArray(revision);
                    }
                }
            }

            ((JsonArray)copy["webhooks"]!).Remove(entry);
            entries.Add((JsonNode)entry);
        }

        copy["webhooks"] = entries;
        return copy;
    }

    /// <summary>The JSON the CLI's <c>-o json</c> and the console API write: an array of explanations.</summary>
    public static JsonArray ToJson(IEnumerable<Explanation> explanations) => new([.. explanations.Select(e => (JsonNode)new JsonObject
    {
        ["pod"] = e.Pod,
        ["outcome"] = e.Outcome,
        ["reason"] = e.Reason,
        ["message"] = e.Message,
        ["steps"] = new JsonArray([.. e.Steps.Select(s => (JsonNode)new JsonObject { ["check"] = s.Check, ["result"] = s.Result, ["detail"] = s.Detail })]),
        ["templates"] = new JsonArray([.. e.Templates.Select(t => (JsonNode)t)]),
        ["warnings"] = new JsonArray([.. e.Warnings.Select(w => (JsonNode)w)]),
    })]);

    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
