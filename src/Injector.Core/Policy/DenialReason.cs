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

    public override string ToString() => $"{Code}: {Sentence}";
}
