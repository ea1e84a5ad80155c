namespace Injector.Core.Policy;

/// <summary>Whether a pod is injected, and the named reason why.</summary>
public sealed record InjectionDecision(bool Inject, SkipReason Reason)
{
    public static InjectionDecision Injected(SkipReason reason) => new(true, reason);

    public static InjectionDecision Skipped(SkipReason reason) => new(false, reason);
}

/// <summary>
/// A named reason with one human sentence. The code is the stable label shared by logs, metrics and the CLI report.
/// </summary>
public sealed record SkipReason(string Code, string Sentence)
{
    public static readonly SkipReason HostNetwork = new("host-network", "the pod uses host networking");
    public static readonly SkipReason SystemNamespace = new("system-namespace", "the pod is in a system namespace");
    public static readonly SkipReason LabelDisabled = new("label-disabled", "the pod's sidecar.istio.io/inject label is \"false\"");
    public static readonly SkipReason AnnotationDisabled = new("annotation-disabled", "the pod's sidecar.istio.io/inject annotation is \"false\"");
    public static readonly SkipReason LabelEnabled = new("label-enabled", "the pod's sidecar.istio.io/inject label is \"true\"");
    public static readonly SkipReason AnnotationEnabled = new("annotation-enabled", "the pod's sidecar.istio.io/inject annotation is \"true\"");
    public static readonly SkipReason NeverInjectSelector = new("never-inject-selector", "a neverInjectSelector matches the pod's labels");
    public static readonly SkipReason AlwaysInjectSelector = new("always-inject-selector", "an alwaysInjectSelector matches the pod's labels");
    public static readonly SkipReason PolicyEnabled = new("policy-enabled", "the injection policy is enabled");
    public static readonly SkipReason PolicyDisabled = new("policy-disabled", "the injection policy is disabled");
    public static readonly SkipReason PolicyInvalid = new("policy-invalid", "the injection policy is neither enabled nor disabled");

    public override string ToString() => $"{Code}: {Sentence}";
}
