using System.Text.Json.Nodes;

namespace Injector.Fuzz.Seeds;

/// <summary>
/// The pods a workload document describes, as the API server would create them: a Pod is itself, a controller its
/// <c>spec.template</c>, a CronJob its <c>spec.jobTemplate.spec.template</c>, a List each of its items.
/// </summary>
internal static class WorkloadPods
{
    public static IEnumerable<JsonObject> From(JsonNode? document)
    {
        if (document is not JsonObject workload)
        {
            yield break;
        }

        var kind = Text(workload, "kind");
        if (kind == "List")
        {
            if (workload["items"] is JsonArray items)
            {
                foreach (var item in items)
                {
                    foreach (var pod in From(item))
                    {
                        yield return pod;
                    }
                }
            }

            yield break;
        }

        if (kind == "Pod")
        {
            var pod = (JsonObject)workload.DeepClone();
            pod["metadata"] ??= new JsonObject();
            yield return pod;
            yield break;
        }

        var template = kind == "CronJob"
            ? workload["spec"]?["jobTemplate"]?["spec"]?["template"] as JsonObject
            : (workload["spec"] as JsonObject)?["template"] as JsonObject;
        if (template?["spec"] is JsonObject spec)
        {
            var metadata = template["metadata"] is JsonObject m ? (JsonObject)m.DeepClone() : new JsonObject();
            if (metadata["namespace"] is null && workload["metadata"]?["namespace"] is JsonValue ns)
            {
                metadata["namespace"] = ns.DeepClone();
            }

            yield return new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Pod",
                ["metadata"] = metadata,
                ["spec"] = spec.DeepClone(),
            };
        }
    }

    private static string? Text(JsonObject obj, string key) =>
        obj[key] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
