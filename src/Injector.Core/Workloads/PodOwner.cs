using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Injector.Core.Workloads;

/// <summary>
/// The workload behind a pod that came through the webhook (spec §7): a Deployment from its ReplicaSet owner, a
/// CronJob from its Job owner, a DeploymentConfig from its ReplicationController, else the controller owner, else the pod itself.
/// </summary>
public static partial class PodOwner
{
    public static WorkloadIdentity Derive(JsonObject pod, string? fallbackNamespace)
    {
        var metadata = pod["metadata"] as JsonObject;
        var ns = metadata?["namespace"]?.ToString() is { Length: > 0 } n ? n : fallbackNamespace ?? "";
        var name = metadata?["name"]?.ToString() ?? "";
        var generateName = metadata?["generateName"]?.ToString() ?? "";
        var self = new WorkloadIdentity(name, ns, "Pod", "v1");

        // Only a pod made by a controller (it has generateName) is attributed to that controller.
        if (generateName.Length == 0)
        {
            return self;
        }

        var controller = (metadata?["ownerReferences"] as JsonArray)?
            .OfType<JsonObject>()
            .FirstOrDefault(o => o["controller"] is JsonValue c && c.TryGetValue<bool>(out var isController) && isController);
        if (controller is null)
        {
            return self with { Name = generateName.TrimEnd('-') };
        }

        var ownerKind = controller["kind"]?.ToString() ?? "";
        var ownerName = controller["name"]?.ToString() ?? "";
        var ownerApi = controller["apiVersion"]?.ToString() ?? "";
        var labels = metadata?["labels"] as JsonObject;

        if (ownerKind == "ReplicaSet")
        {
            if (labels?["pod-template-hash"]?.ToString() is { Length: > 0 } hash && ownerName.EndsWith("-" + hash, StringComparison.Ordinal))
            {
                return new WorkloadIdentity(ownerName[..^(hash.Length + 1)], ns, "Deployment", "apps/v1");
            }

            if (labels?["rollouts-pod-template-hash"]?.ToString() is { Length: > 0 } rolloutHash && ownerName.EndsWith("-" + rolloutHash, StringComparison.Ordinal))
            {
                return new WorkloadIdentity(ownerName[..^(rolloutHash.Length + 1)], ns, "Rollout", "argoproj.io/v1alpha1");
            }
        }

        if (ownerKind == "ReplicationController" && labels?["deploymentconfig"]?.ToString() is { Length: > 0 } dc)
        {
            return new WorkloadIdentity(dc, ns, "DeploymentConfig", "apps.openshift.io/v1");
        }

        if (ownerKind == "Job" && CronJobName().Match(ownerName) is { Success: true } m)
        {
            return new WorkloadIdentity(m.Groups[1].Value, ns, "CronJob", "batch/v1");
        }

        return new WorkloadIdentity(ownerName, ns, ownerKind, ownerApi);
    }

    [GeneratedRegex("^(.+)-[0-9]{8,10}$")]
    private static partial Regex CronJobName();
}
