using System.Text.Json.Nodes;
using Injector.Core;
using Injector.Core.Workloads;
using Injector.Documents;

namespace Injector.Webhook.Events;

/// <summary>A pod's controller as its ownerReference names it (the uid is what <c>kubectl describe</c> matches Events on).</summary>
public sealed record OwnerReference(string ApiVersion, string Kind, string Name, string Uid);

/// <summary>
/// Who an Event about a pod's admission is recorded on: the workload behind it (the Deployment behind a ReplicaSet, the
/// CronJob behind a Job), reached through the pod's controller. A pod without a controller has none: it does not exist
/// yet at admission, so an Event on it could not name its uid.
/// </summary>
/// <param name="Namespace">The pod's namespace.</param>
/// <param name="Workload">The workload, derived as for <c>ISTIO_META_WORKLOAD_NAME</c>.</param>
/// <param name="Controller">The pod's controller (the ReplicaSet, the Job, the StatefulSet …).</param>
public sealed record EventSubject(string Namespace, WorkloadIdentity Workload, OwnerReference Controller)
{
    /// <summary>The Event goes on the controller itself (its uid is known) rather than on a workload above it.</summary>
    public bool IsController => Workload.Kind == Controller.Kind && Workload.Name == Controller.Name;

    public static EventSubject? Of(JsonObject pod, string @namespace)
    {
        if (@namespace.Length == 0 || (pod["metadata"] as JsonObject)?["ownerReferences"] is not JsonArray owners)
        {
            return null;
        }

        foreach (var owner in owners.OfType<JsonObject>())
        {
            if (owner["controller"] is JsonValue c && c.TryGetValue<bool>(out var isController) && isController
                && Text(owner, "apiVersion") is { } apiVersion && Text(owner, "kind") is { } kind
                && Text(owner, "name") is { } name && Text(owner, "uid") is { } uid)
            {
                // A StatefulSet names its pods itself (no generateName), so the derivation stops at the pod: use the controller.
                var workload = PodOwner.Derive(pod, @namespace) is { Kind: not "Pod" } derived ? derived : new WorkloadIdentity(name, @namespace, kind, apiVersion);
                return new EventSubject(@namespace, workload, new OwnerReference(apiVersion, kind, name, uid));
            }
        }

        return null;
    }

    private static string? Text(JsonObject node, string property) =>
        JsonText.Of(node[property]) is { Length: > 0 and <= 253 } text ? text : null;
}
