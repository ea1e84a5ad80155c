using System.Text.Json.Nodes;
using Injector.Core.Policy;

namespace Injector.Core;

/// <summary>What one pod went in with.</summary>
/// <param name="Pod">The pod exactly as submitted (raw JSON; never a re-serialised model, so unknown fields survive).</param>
/// <param name="Namespace">The request namespace, used when the pod's own metadata has none.</param>
/// <param name="Door">Which door the pod came through: the webhook applies policy and selectors, the CLI does not.</param>
/// <param name="PathEnv">Proxy env overrides taken from the webhook URL path (<c>/inject/cluster/c1/net/n1</c>); empty for the CLI.</param>
/// <param name="Workload">The workload the pod belongs to, when the caller knows it (the CLI does); null lets the core derive it from ownerReferences.</param>
/// <param name="NamespaceAnnotations">
/// The pod's namespace's annotations, resolved by the caller (the webhook reads them from the API server, the CLI from
/// flags) when <see cref="IPodInjector.ReadsNamespaceAnnotations"/> says they matter; null when unknown.
/// </param>
public sealed record InjectionRequest(
    JsonObject Pod,
    string? Namespace,
    InjectionDoor Door,
    IReadOnlyList<KeyValuePair<string, string>> PathEnv,
    WorkloadIdentity? Workload = null,
    IReadOnlyDictionary<string, string>? NamespaceAnnotations = null);

public enum InjectionDoor
{
    Webhook,
    Cli,
}

/// <summary>The workload that owns a pod: <c>ISTIO_META_OWNER</c>, <c>ISTIO_META_WORKLOAD_NAME</c> and the canonical-name fallback come from it.</summary>
public sealed record WorkloadIdentity(string Name, string Namespace, string Kind, string ApiVersion);

/// <summary>
/// The outcome of one injection, closed: <see cref="Injected"/>, <see cref="Skipped"/> or <see cref="Denied"/>. The core
/// is the only place an exception becomes one of these; the webhook, the CLI, metrics and logs read this one value.
/// </summary>
public abstract record InjectionResult
{
    private InjectionResult(IReadOnlyList<string> warnings) => Warnings = warnings;

    /// <summary>Soft problems for the AdmissionResponse warnings and the CLI's stderr.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The stable code logs and metric labels use: the decision's reason, or the denial's.</summary>
    public abstract string Code { get; }

    /// <summary>The pod gets the sidecar.</summary>
    /// <param name="Reason">Why the policy injected it.</param>
    /// <param name="Pod">The injected pod.</param>
    /// <param name="PatchJson">
    /// RFC 6902 operations that turn the submitted pod into <paramref name="Pod"/>, as the UTF-8 JSON an admission
    /// response carries (the webhook sends these bytes; they are written straight from the two pods).
    /// </param>
    /// <param name="Warnings">Soft problems.</param>
    public sealed record Injected(SkipReason Reason, JsonObject Pod, byte[] PatchJson, IReadOnlyList<string> Warnings) : InjectionResult(Warnings)
    {
        /// <summary>An injection whose patch is given as a tree (test doubles).</summary>
        public Injected(SkipReason reason, JsonObject pod, JsonArray patch, IReadOnlyList<string> warnings)
            : this(reason, pod, System.Text.Encoding.UTF8.GetBytes(patch.ToJsonString()), warnings)
        {
        }

        public override string Code => Reason.Code;

        /// <summary>The patch's operations as a tree, read from <see cref="PatchJson"/> (a new tree each time).</summary>
        public JsonArray Patch => JsonNode.Parse(PatchJson) as JsonArray ?? [];

        /// <summary>The templates rendered, in order (for logs, metric labels and Events).</summary>
        public IReadOnlyList<string> Templates { get; init; } = [];
    }

    /// <summary>The pod is admitted unchanged.</summary>
    public sealed record Skipped(SkipReason Reason, IReadOnlyList<string> Warnings) : InjectionResult(Warnings)
    {
        public override string Code => Reason.Code;
    }

    /// <summary>The pod must not be admitted.</summary>
    /// <param name="Reason">The named reason (logs, metrics, the CLI's error line).</param>
    /// <param name="Message">The exact problem, naming the annotation, value or limit at fault.</param>
    /// <param name="Warnings">Soft problems found before the denial.</param>
    /// <param name="Cause">For <see cref="DenialReason.InternalError"/>: the exception, for the caller to log once with its stack.</param>
    public sealed record Denied(DenialReason Reason, string Message, IReadOnlyList<string> Warnings, Exception? Cause = null) : InjectionResult(Warnings)
    {
        public override string Code => Reason.Code;
    }
}
