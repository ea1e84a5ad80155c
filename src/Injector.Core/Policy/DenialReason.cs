namespace Injector.Core.Policy;

/// <summary>
/// Why a pod is denied: a named code with one sentence, shared by the webhook's logs and metrics labels and the
/// CLI's error line, beside the message that names the exact problem.
/// </summary>
public sealed record DenialReason(string Code, string Sentence)
{
    public static readonly DenialReason InvalidAnnotation = new("invalid-annotation", "an annotation has an invalid value");
    public static readonly DenialReason UnknownTemplate = new("unknown-template", "the pod asks for a template that is not configured");
    public static readonly DenialReason TemplateFailed = new("template-failed", "a template failed to parse, render or produce a YAML map");
    public static readonly DenialReason InvalidPrometheus = new("invalid-prometheus", "the Prometheus scrape annotations are invalid");
    public static readonly DenialReason InvalidDocument = new("invalid-document", "the input is not a valid YAML document");
    public static readonly DenialReason InvalidPod = new("invalid-pod", "the pod is not shaped like a Kubernetes Pod");
    public static readonly DenialReason InvalidResult = new("invalid-result", "injecting would produce an invalid pod");
    public static readonly DenialReason LimitExceeded = new("limit-exceeded", "the input is past a size, nesting or alias limit");
    public static readonly DenialReason DeadlineExceeded = new("deadline-exceeded", "injection did not finish before the request's deadline");
    public static readonly DenialReason InternalError = new("internal-error", "the injector failed unexpectedly");

    /// <summary>Every reason, for metrics that list each label up front and for documentation.</summary>
    public static readonly IReadOnlyList<DenialReason> All =
    [
        InvalidAnnotation, UnknownTemplate, TemplateFailed, InvalidPrometheus, InvalidDocument, InvalidPod, InvalidResult,
        LimitExceeded, DeadlineExceeded, InternalError,
    ];

    public override string ToString() => $"{Code}: {Sentence}";
}
