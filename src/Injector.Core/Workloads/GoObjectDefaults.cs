using System.Text.Json.Nodes;

namespace Injector.Core.Workloads;

/// <summary>
/// kube-inject writes each object through Go's typed structs, which emit empty non-pointer structs (<c>status: {}</c>,
/// <c>strategy: {}</c>, <c>resources: {}</c>) and drop zero-valued omitempty fields. This reproduces those marks for
/// the kinds kube-inject handles, so the CLI's output matches istioctl's text.
/// </summary>
public static class GoObjectDefaults
{
    public static void Apply(JsonObject document)
    {
        var kind = document["kind"]?.ToString();
        var spec = document["spec"] as JsonObject;
        if (kind == "List")
        {
            // metav1.ListMeta is a struct: an empty one is written as {}.
            EnsureMap(document, "metadata");
            return;
        }

        DropNullTimestamp(document["metadata"] as JsonObject);
        DropNullTimestamp(spec?["template"]?["metadata"] as JsonObject);
        switch (kind)
        {
            case "Pod":
                Pod(spec);
                break;
            case "Deployment":
                Template(spec);
                EnsureMap(spec, "strategy");
                break;
            case "StatefulSet":
                Template(spec);
                EnsureMap(spec, "updateStrategy");
                break;
            case "DaemonSet":
                Template(spec);
                EnsureMap(spec, "updateStrategy");
                break;
            case "ReplicaSet" or "ReplicationController" or "Job":
                Template(spec);
                break;
            case "CronJob":
                if (spec?["jobTemplate"] is JsonObject jobTemplate)
                {
                    EnsureMap(jobTemplate, "metadata");
                    Template(jobTemplate["spec"] as JsonObject);
                }

                break;
            case "DeploymentConfig":
                Template(spec);
                if (spec?["strategy"] is JsonObject strategy)
                {
                    EnsureMap(strategy, "resources");
                }

                if (spec is not null)
                {
                    spec["test"] ??= false;
                    DropZero(spec, "paused", "minReadySeconds");
                }

                break;
            default:
                return;
        }

        if (document["status"] is null)
        {
            document["status"] = kind switch
            {
                "StatefulSet" => new JsonObject { ["availableReplicas"] = 0, ["replicas"] = 0 },
                "ReplicaSet" or "ReplicationController" => new JsonObject { ["replicas"] = 0 },
                "DaemonSet" => new JsonObject { ["currentNumberScheduled"] = 0, ["desiredNumberScheduled"] = 0, ["numberMisscheduled"] = 0, ["numberReady"] = 0 },
                "DeploymentConfig" => new JsonObject
                {
                    ["availableReplicas"] = 0,
                    ["latestVersion"] = 0,
                    ["observedGeneration"] = 0,
                    ["replicas"] = 0,
                    ["unavailableReplicas"] = 0,
                    ["updatedReplicas"] = 0,
                },
                _ => new JsonObject(),
            };
        }
    }

    private static void Template(JsonObject? spec)
    {
        if (spec?["template"] is not JsonObject template)
        {
            return;
        }

        EnsureMap(template, "metadata");
        Pod(template["spec"] as JsonObject);
    }

    private static void Pod(JsonObject? podSpec)
    {
        foreach (var field in new[] { "containers", "initContainers" })
        {
            foreach (var container in (podSpec?[field] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                EnsureMap(container, "resources");
            }
        }
    }

    /// <summary>Go drops a null creationTimestamp (metav1.Time with omitempty since Kubernetes 1.29's marshalling).</summary>
    private static void DropNullTimestamp(JsonObject? metadata)
    {
        if (metadata is not null && metadata.TryGetPropertyValue("creationTimestamp", out var ts) && ts is null)
        {
            metadata.Remove("creationTimestamp");
        }
    }

    private static void EnsureMap(JsonObject? parent, string key)
    {
        if (parent is not null && parent[key] is null)
        {
            parent[key] = new JsonObject();
        }
    }

    private static void DropZero(JsonObject obj, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (obj[key] is JsonValue v && (v.ToJsonString() is "false" or "0"))
            {
                obj.Remove(key);
            }
        }
    }
}
