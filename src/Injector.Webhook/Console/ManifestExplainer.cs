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
        Explain(injector, manifest, defaultNamespace, _ => namespaceLabels, webhookConfiguration);

    /// <summary>As above, with each namespace's labels looked up (the console in a cluster reads them).</summary>
    public static IReadOnlyList<Explanation> Explain(
        PodInjector injector,
        string manifest,
        string defaultNamespace,
        Func<string, IReadOnlyDictionary<string, string>> namespaceLabels,
        JsonObject? webhookConfiguration)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(namespaceLabels);
        var documents = GoYaml.ParseAll(manifest, YamlLimits.Document).OfType<JsonObject>();
        return [.. Pods(documents, defaultNamespace).Select(p => InjectionExplainer.Explain(injector, p.Pod, p.Namespace, namespaceLabels(p.Namespace), webhookConfiguration))];
    }

    /// <summary>The namespaces the manifest's pods are created in.</summary>
    public static IReadOnlyList<string> Namespaces(string manifest, string defaultNamespace) =>
        [.. Pods(GoYaml.ParseAll(manifest, YamlLimits.Document).OfType<JsonObject>(), defaultNamespace).Select(p => p.Namespace).Distinct(StringComparer.Ordinal)];

    /// <summary>The first MutatingWebhookConfiguration of a YAML text; null when there is none.</summary>
    public static JsonObject? WebhookConfiguration(string yaml) =>
        GoYaml.ParseAll(yaml, YamlLimits.Default).OfType<JsonObject>().FirstOrDefault(d => d["kind"]?.ToString() == "MutatingWebhookConfiguration");

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

    private static IEnumerable<(JsonObject Pod, string Namespace)> Pods(IEnumerable<JsonObject> documents, string defaultNamespace)
    {
        foreach (var document in documents)
        {
            if (document["kind"]?.ToString() == "List")
            {
                foreach (var item in Pods((document["items"] as JsonArray ?? []).OfType<JsonObject>(), defaultNamespace))
                {
                    yield return item;
                }

                continue;
            }

            if (PodTemplateLocation.Find(document) is not { } location)
            {
                continue;
            }

            var pod = location.ReadPod();
            pod["apiVersion"] = "v1";
            pod["kind"] = "Pod";
            var ns = document["metadata"]?["namespace"]?.ToString() is { Length: > 0 } named ? named : defaultNamespace;
            var meta = pod["metadata"] as JsonObject ?? (JsonObject)(pod["metadata"] = new JsonObject());
            meta["namespace"] = ns;
            if (document["kind"]?.ToString() != "Pod")
            {
                meta["generateName"] = $"{document["metadata"]?["name"]}-";
            }

            yield return (pod, ns);
        }
    }
}
