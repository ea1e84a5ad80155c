using System.Text.Json.Nodes;

namespace Injector.Core.Workloads;

/// <summary>
/// Where a workload keeps the pod that kube-inject injects (spec §7): a Pod is its own pod; controllers keep it in
/// <c>spec.template</c>; a CronJob's metadata is <c>spec.jobTemplate.metadata</c> and its spec is
/// <c>spec.jobTemplate.spec.template.spec</c>, as istioctl does it.
/// </summary>
public sealed record PodTemplateLocation(JsonObject MetadataParent, string MetadataKey, JsonObject SpecParent, string SpecKey)
{
    private static readonly Dictionary<string, string> ControllerKinds = new(StringComparer.Ordinal)
    {
        ["ReplicationController"] = "v1",
        ["Deployment"] = "apps/v1",
        ["DaemonSet"] = "apps/v1",
        ["ReplicaSet"] = "apps/v1",
        ["StatefulSet"] = "apps/v1",
        ["Job"] = "batch/v1",
        ["DeploymentConfig"] = "apps.openshift.io/v1",
    };

    /// <summary>The kinds kube-inject understands; anything else passes through unchanged.</summary>
    public static bool IsSupported(string? kind) => kind is "Pod" or "CronJob" || (kind is not null && ControllerKinds.ContainsKey(kind));

    public static PodTemplateLocation? Find(JsonObject document)
    {
        var kind = document["kind"]?.ToString();
        switch (kind)
        {
            case "Pod":
                return new PodTemplateLocation(document, "metadata", document, "spec");
            case "CronJob":
                if (document["spec"]?["jobTemplate"] is JsonObject jobTemplate && jobTemplate["spec"]?["template"] is JsonObject cronPod)
                {
                    return new PodTemplateLocation(jobTemplate, "metadata", cronPod, "spec");
                }

                return null;
            default:
                if (kind is not null && ControllerKinds.ContainsKey(kind) && document["spec"]?["template"] is JsonObject template)
                {
                    return new PodTemplateLocation(template, "metadata", template, "spec");
                }

                return null;
        }
    }

    /// <summary>The pod as the injector sees it: the template's metadata and spec.</summary>
    public JsonObject ReadPod()
    {
        var pod = new JsonObject();
        if (MetadataParent[MetadataKey] is JsonObject meta)
        {
            pod["metadata"] = meta.DeepClone();
        }

        if (SpecParent[SpecKey] is JsonObject spec)
        {
            pod["spec"] = spec.DeepClone();
        }

        return pod;
    }

    public void WritePod(JsonObject pod)
    {
        MetadataParent[MetadataKey] = pod["metadata"]?.DeepClone() ?? new JsonObject();
        SpecParent[SpecKey] = pod["spec"]?.DeepClone() ?? new JsonObject();
    }
}
