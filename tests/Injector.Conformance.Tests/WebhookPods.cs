using System.Text.Json.Nodes;
using Injector.Core.Workloads;
using Injector.Documents;

namespace Injector.Conformance.Tests;

/// <summary>
/// Turns corpus documents into the pods the API server would send the webhook (the corpus README's rules): a
/// Deployment's pod is owned by ReplicaSet <c>NAME-fake</c> with <c>pod-template-hash: fake</c>; other controllers own
/// their pods directly; List items are split.
/// </summary>
public static class WebhookPods
{
    public static List<JsonObject> FromYaml(string text)
    {
        var pods = new List<JsonObject>();
        foreach (var doc in GoYaml.ParseAll(text).OfType<JsonObject>())
        {
            Collect(doc, pods);
        }

        return pods;
    }

    private static void Collect(JsonObject doc, List<JsonObject> pods)
    {
        var kind = doc["kind"]?.ToString();
        if (kind == "List")
        {
            foreach (var item in (doc["items"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                Collect(item, pods);
            }

            return;
        }

        if (!PodTemplateLocation.IsSupported(kind))
        {
            return;
        }

        var name = doc["metadata"]?["name"]?.ToString() ?? "";
        var ns = doc["metadata"]?["namespace"]?.ToString();
        if (kind == "Pod")
        {
            var pod = (JsonObject)doc.DeepClone();
            pod.Remove("status");
            pods.Add(pod);
            return;
        }

        var template = kind == "CronJob" ? doc["spec"]?["jobTemplate"]?["spec"]?["template"] : doc["spec"]?["template"];
        var meta = template?["metadata"]?.DeepClone() as JsonObject ?? [];
        if (kind == "CronJob" && doc["spec"]?["jobTemplate"]?["metadata"] is JsonObject jobMeta)
        {
            foreach (var (k, v) in jobMeta)
            {
                meta[k] = v?.DeepClone();
            }
        }

        var (ownerKind, ownerName, ownerApi) = kind == "Deployment"
            ? ("ReplicaSet", $"{name}-fake", "apps/v1")
            : (kind!, name, doc["apiVersion"]?.ToString() ?? "");
        if (kind == "Deployment")
        {
            var labels = meta["labels"] as JsonObject ?? [];
            labels["pod-template-hash"] = "fake";
            meta["labels"] = labels;
        }

        meta["generateName"] = $"{ownerName}-";
        if (ns is not null)
        {
            meta["namespace"] = ns;
        }

        meta["ownerReferences"] = new JsonArray(new JsonObject
        {
            ["apiVersion"] = ownerApi,
            ["kind"] = ownerKind,
            ["name"] = ownerName,
            ["uid"] = "00000000-0000-0000-0000-000000000000",
            ["controller"] = true,
        });
        pods.Add(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = meta,
            ["spec"] = template?["spec"]?.DeepClone() ?? new JsonObject(),
        });
    }
}
