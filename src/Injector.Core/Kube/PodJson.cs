using System.Text.Json.Nodes;

namespace Injector.Core.Kube;

/// <summary>Small accessors over a pod's raw JSON, which is never re-serialised through a typed model.</summary>
public static class PodJson
{
    public const string ProxyContainer = "istio-proxy";
    public const string InitContainer = "istio-init";
    public const string ValidationContainer = "istio-validation";

    public static JsonObject Metadata(JsonObject pod) => Child(pod, "metadata");

    public static JsonObject Spec(JsonObject pod) => Child(pod, "spec");

    public static JsonObject Labels(JsonObject pod) => Child(Metadata(pod), "labels");

    public static JsonObject Annotations(JsonObject pod) => Child(Metadata(pod), "annotations");

    public static JsonObject? AnnotationsOrNull(JsonObject pod) => (pod["metadata"] as JsonObject)?["annotations"] as JsonObject;

    public static JsonArray? List(JsonObject pod, string field) => (pod["spec"] as JsonObject)?[field] as JsonArray;

    public static IEnumerable<JsonObject> Items(JsonObject pod, string field) => List(pod, field)?.OfType<JsonObject>() ?? [];

    public static string? Name(JsonNode? container) => (container as JsonObject)?["name"]?.ToString();

    /// <summary>The first map of the named list whose name is <paramref name="name"/> (a loop: it runs many times per injection).</summary>
    public static JsonObject? Find(JsonObject pod, string field, string name)
    {
        if (List(pod, field) is not { } list)
        {
            return null;
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is JsonObject item && Name(item) == name)
            {
                return item;
            }
        }

        return null;
    }

    public static JsonObject? Proxy(JsonObject pod) => Find(pod, "containers", ProxyContainer) ?? Find(pod, "initContainers", ProxyContainer);

    /// <summary>The child map, created when absent.</summary>
    public static JsonObject Child(JsonObject parent, string key)
    {
        if (parent[key] is JsonObject existing)
        {
            return existing;
        }

        var created = new JsonObject();
        parent[key] = created;
        return created;
    }

    /// <summary>Removes every element of a named list whose name is in <paramref name="names"/>; drops the list if it ends up empty and was not empty before.</summary>
    public static void RemoveNamed(JsonObject spec, string field, IReadOnlySet<string> names)
    {
        if (spec[field] is not JsonArray list || names.Count == 0 || list.Count == 0)
        {
            return;
        }

        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (list[i]?["name"]?.ToString() is { } n && names.Contains(n))
            {
                list.RemoveAt(i);
            }
        }

        if (list.Count == 0)
        {
            spec.Remove(field);
        }
    }

    public static string? Text(JsonNode? node) => node?.ToString();
}
