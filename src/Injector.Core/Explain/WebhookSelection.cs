using System.Text.Json.Nodes;
using Injector.Core.Policy;

namespace Injector.Core.Explain;

/// <summary>
/// The API server's half of the decision: which entries of a MutatingWebhookConfiguration send a pod to the injector,
/// by their namespace and object selectors (Kubernetes semantics: an absent or empty selector matches everything).
/// </summary>
public static class WebhookSelection
{
    /// <summary>The entries whose selectors match, and a sentence for each that does not.</summary>
    public static (IReadOnlyList<string> Matching, IReadOnlyList<string> NotMatching) Evaluate(
        JsonObject configuration, string podNamespace, IReadOnlyDictionary<string, string> namespaceLabels, JsonObject? podLabels)
    {
        // The API server sets this label on every namespace; the system-namespace exclusions select on it.
        var nsLabels = new JsonObject(namespaceLabels.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)))
        {
            ["kubernetes.io/metadata.name"] = podNamespace,
        };
        var matching = new List<string>();
        var notMatching = new List<string>();
        foreach (var entry in (configuration["webhooks"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = entry["name"]?.ToString() ?? "(unnamed)";
            if (!Matches(entry["namespaceSelector"] as JsonObject, nsLabels))
            {
                notMatching.Add($"{name}: its namespaceSelector does not match namespace \"{podNamespace}\" {Describe(nsLabels)}");
            }
            else if (!Matches(entry["objectSelector"] as JsonObject, podLabels))
            {
                notMatching.Add($"{name}: its objectSelector does not match the pod's labels {Describe(podLabels)}");
            }
            else
            {
                matching.Add(name);
            }
        }

        return (matching, notMatching);
    }

    private static bool Matches(JsonObject? selector, JsonObject? labels) =>
        selector is null
        || ((selector["matchLabels"] as JsonObject)?.Count ?? 0) + ((selector["matchExpressions"] as JsonArray)?.Count ?? 0) == 0
        || LabelSelectors.Matches(selector, labels, new List<string>());

    private static string Describe(JsonObject? labels) =>
        labels is null || labels.Count == 0 ? "{}" : "{" + string.Join(", ", labels.Select(kv => $"{kv.Key}={kv.Value}")) + "}";
}
