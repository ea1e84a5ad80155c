using System.Text.Json.Nodes;
using Injector.Core.Policy;

namespace Injector.Core;

/// <summary>What one pod went in with.</summary>
/// <param name="Pod">The pod exactly as submitted (raw JSON; never a re-serialised model, so unknown fields survive).</param>
/// <param name="Namespace">The request namespace, used when the pod's own metadata has none.</param>
/// <param name="Door">Which door the pod came through: the webhook applies policy and selectors, the CLI does not.</param>
/// <param name="PathEnv">Proxy env overrides taken from the webhook URL path (<c>/inject/cluster/c1/net/n1</c>); empty for the CLI.</param>
/// <param name="Workload">The workload the pod belongs to, when the caller knows it (the CLI does); null lets the core derive it from ownerReferences.</param>
public sealed record InjectionRequest(
    JsonObject Pod,
    string? Namespace,
    InjectionDoor Door,
    IReadOnlyList<KeyValuePair<string, string>> PathEnv,
    WorkloadIdentity? Workload = null);

public enum InjectionDoor
{
    Webhook,
    Cli,
}

/// <summary>The workload that owns a pod: <c>ISTIO_META_OWNER</c>, <c>ISTIO_META_WORKLOAD_NAME</c> and the canonical-name fallback come from it.</summary>
public sealed record WorkloadIdentity(string Name, string Namespace, string Kind, string ApiVersion);

/// <summary>The outcome of one injection.</summary>
/// <param name="Decision">Injected or skipped, with the named reason.</param>
/// <param name="Pod">The injected pod (the submitted pod unchanged when skipped; null when denied).</param>
/// <param name="Patch">RFC 6902 operations that turn the submitted pod into <paramref name="Pod"/> (empty when skipped; null when denied).</param>
/// <param name="Warnings">Soft problems for the AdmissionResponse warnings and the CLI's stderr.</param>
/// <param name="Error">Why the pod is denied (bad annotation, bad template …); null when it is not.</param>
/// <param name="Denial">The named reason of a denial, for logs, metrics and the CLI; null when not denied.</param>
public sealed record InjectionResult(
    InjectionDecision Decision,
    JsonObject? Pod,
    JsonArray? Patch,
    IReadOnlyList<string> Warnings,
    string? Error,
    DenialReason? Denial = null)
{
    public bool Denied => Error is not null;
}
