using System.Text.Json.Nodes;

namespace Injector.Core.Workloads;

/// <summary>
/// The pods of a manifest as the API server would see them created: each Pod document, and each workload's pod
/// template as its controller creates the pod (in the workload's namespace, <c>generateName: NAME-</c>); Lists are
/// opened. Explain, the console and the tests share it.
/// </summary>
public static class WorkloadPods
{
    /// <summary>The pods in document order; a workload whose path to its template is not maps is a <see cref="ManifestException"/>.</summary>
    public static IEnumerable<(JsonObject Pod, string Namespace)> Of(IEnumerable<JsonObject> documents, string defaultNamespace)
    {
        ArgumentNullException.ThrowIfNull(documents);
        foreach (var document in documents)
        {
            if (KubeInject.WorkloadShape(document) is { } problem)
            {
                throw new ManifestException($"{document["kind"]} document: {problem}");
            }

            if (document["kind"]?.ToString() == "List")
            {
                foreach (var item in Of((document["items"] as JsonArray ?? []).OfType<JsonObject>(), defaultNamespace))
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
            var ns = (document["metadata"] as JsonObject)?["namespace"] is JsonValue v && v.TryGetValue<string>(out var named) && named.Length > 0 ? named : defaultNamespace;
            var meta = pod["metadata"] as JsonObject ?? (JsonObject)(pod["metadata"] = new JsonObject());
            meta["namespace"] = ns;
            if (document["kind"]?.ToString() != "Pod")
            {
                meta["generateName"] = $"{(document["metadata"] as JsonObject)?["name"]}-";
            }

            yield return (pod, ns);
        }
    }
}

/// <summary>A manifest that cannot be read as it is (a field of the wrong type, too many pods): the message says why.</summary>
public sealed class ManifestException(string message) : Exception(message);
