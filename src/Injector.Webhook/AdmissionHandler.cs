using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Injector.Core;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook;

/// <summary>How one admission review ended; the label logs and metrics share.</summary>
public enum AdmissionOutcomeKind
{
    /// <summary>The injector patched the pod.</summary>
    Injected,

    /// <summary>The injector decided not to inject; admitted unchanged.</summary>
    Skipped,

    /// <summary>Not a pod creation (another kind, or a subresource); admitted unchanged.</summary>
    Ignored,

    /// <summary>The injector refused the pod.</summary>
    Denied,

    /// <summary>The review could not be decoded or the injector failed unexpectedly.</summary>
    Failed,
}

/// <summary>The review to send back, with what happened for logs and metrics.</summary>
/// <param name="Review">The AdmissionReview to write (apiVersion, kind and uid echoed from the request when it could be read).</param>
/// <param name="Kind">How it ended.</param>
/// <param name="Code">The skip reason code, decision code, or a short failure label.</param>
/// <param name="PodNamespace">The pod's namespace (empty when unknown).</param>
/// <param name="PodName">The pod's name or generateName (empty when unknown).</param>
public sealed record AdmissionOutcome(
    AdmissionReview Review,
    AdmissionOutcomeKind Kind,
    string Code,
    string PodNamespace,
    string PodName);

/// <summary>
/// The webhook's seam between HTTP plumbing and the injector: review bytes (or a decoded review) in, review out.
/// Never throws: every failure becomes <c>allowed: false</c> with a message, as Istio does.
/// </summary>
public sealed class AdmissionHandler
{
    /// <summary>Code counted under <c>injector_skip_total</c> for objects that are not pods.</summary>
    public const string NotAPodCode = "not-a-pod";

    private readonly IPodInjectorSource _injectors;
    private readonly WebhookMetrics _metrics;
    private readonly ILogger _logger;

    public AdmissionHandler(IPodInjectorSource injectors, WebhookMetrics metrics, ILogger<AdmissionHandler> logger)
    {
        ArgumentNullException.ThrowIfNull(injectors);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        _injectors = injectors;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Decodes an AdmissionReview (v1 or v1beta1) and handles it. <paramref name="path"/> is the request path (<c>/inject…</c>).</summary>
    public AdmissionOutcome Review(ReadOnlySpan<byte> body, string path)
    {
        AdmissionReview? review;
        try
        {
            review = JsonSerializer.Deserialize(body, AdmissionJsonContext.Default.AdmissionReview);
        }
        catch (JsonException e)
        {
            return Undecodable($"could not decode AdmissionReview: {e.Message}");
        }

        if (review is null)
        {
            return Undecodable("could not decode AdmissionReview: the body is null");
        }

        if (review.Kind != AdmissionReview.ReviewKind || review.ApiVersion is not (AdmissionReview.V1 or AdmissionReview.V1Beta1))
        {
            return Undecodable(
                $"unsupported review apiVersion \"{review.ApiVersion}\" kind \"{review.Kind}\", want {AdmissionReview.ReviewKind} of {AdmissionReview.V1} or {AdmissionReview.V1Beta1}");
        }

        if (review.Request is null)
        {
            return Undecodable("AdmissionReview has no request");
        }

        try
        {
            return Handle(review, path);
        }
#pragma warning disable CA1031 // An admission answer is always written: anything unexpected denies the pod instead of failing the request.
        catch (Exception e)
#pragma warning restore CA1031
        {
            WebhookLog.InjectorFailed(_logger, e, review.Request.Namespace ?? "", review.Request.Name ?? "");
            var answer = new AdmissionReview
            {
                ApiVersion = review.ApiVersion,
                Kind = review.Kind,
                Response = AdmissionResponses.Errored(review.Request.Uid, $"injection failed: {e.Message}"),
            };
            return Count(new AdmissionOutcome(answer, AdmissionOutcomeKind.Failed, "exception", review.Request.Namespace ?? "", review.Request.Name ?? ""));
        }
    }

    /// <summary>Answers a decoded review: echoes apiVersion, kind and uid, and fills the response.</summary>
    public AdmissionOutcome Handle(AdmissionReview review, string path)
    {
        ArgumentNullException.ThrowIfNull(review);
        var request = review.Request ?? new AdmissionRequest();
        var (response, kind, code, ns, name) = Respond(request, path);
        var answer = new AdmissionReview { ApiVersion = review.ApiVersion, Kind = review.Kind, Response = response };
        return Count(new AdmissionOutcome(answer, kind, code, ns, name));
    }

    private (AdmissionResponse, AdmissionOutcomeKind, string, string, string) Respond(AdmissionRequest request, string path)
    {
        var uid = request.Uid;
        var requestName = request.Name ?? "";
        var requestNamespace = request.Namespace ?? "";
        if (request.Kind?.Kind != "Pod"
            || (request.Resource is { } resource && resource.Resource != "pods")
            || !string.IsNullOrEmpty(request.SubResource))
        {
            return (AdmissionResponses.Allowed(uid), AdmissionOutcomeKind.Ignored, NotAPodCode, requestNamespace, requestName);
        }

        if (request.Object is not JsonObject pod)
        {
            var message = $"could not read the pod: request.object is {Describe(request.Object)}, want a JSON object";
            WebhookLog.Denied(_logger, requestNamespace, requestName, "bad-object", message);
            return (AdmissionResponses.Errored(uid, message), AdmissionOutcomeKind.Failed, "bad-object", requestNamespace, requestName);
        }

        var metadata = pod["metadata"] as JsonObject;
        var ns = StringAt(metadata, "namespace") ?? requestNamespace;
        var name = StringAt(metadata, "name") ?? StringAt(metadata, "generateName") ?? requestName;

        InjectionResult result;
        try
        {
            var pathEnv = PathEnv.Parse(path, _logger);
            result = _injectors.Current.Inject(new InjectionRequest(pod, request.Namespace, InjectionDoor.Webhook, pathEnv));
        }
        catch (Exception e)
        {
            WebhookLog.InjectorFailed(_logger, e, ns, name);
            return (AdmissionResponses.Errored(uid, $"injection failed: {e.Message}"), AdmissionOutcomeKind.Failed, "exception", ns, name);
        }

        if (result.Error is { } error)
        {
            var code = result.Denial?.Code ?? "denied";
            WebhookLog.Denied(_logger, ns, name, code, error);
            return (AdmissionResponses.Denied(uid, error, result.Warnings), AdmissionOutcomeKind.Denied, code, ns, name);
        }

        if (!result.Decision.Inject)
        {
            WebhookLog.Skipped(_logger, ns, name, result.Decision.Reason.Code);
            return (AdmissionResponses.Allowed(uid, result.Warnings), AdmissionOutcomeKind.Skipped, result.Decision.Reason.Code, ns, name);
        }

        byte[] patch;
        try
        {
            patch = Encoding.UTF8.GetBytes((result.Patch ?? []).ToJsonString());
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            WebhookLog.InjectorFailed(_logger, e, ns, name);
            return (AdmissionResponses.Errored(uid, $"could not encode the patch: {e.Message}"), AdmissionOutcomeKind.Failed, "exception", ns, name);
        }

        return (AdmissionResponses.Patched(uid, patch, result.Warnings), AdmissionOutcomeKind.Injected, result.Decision.Reason.Code, ns, name);
    }

    private AdmissionOutcome Undecodable(string message)
    {
        WebhookLog.Rejected(_logger, 200, message);

        // Like Istio: the review could not be read, so apiVersion, kind and uid are empty.
        var review = new AdmissionReview { ApiVersion = "", Kind = "", Response = AdmissionResponses.Errored("", message) };
        return Count(new AdmissionOutcome(review, AdmissionOutcomeKind.Failed, "undecodable", "", ""));
    }

    private AdmissionOutcome Count(AdmissionOutcome outcome)
    {
        switch (outcome.Kind)
        {
            case AdmissionOutcomeKind.Injected:
                _metrics.CountSuccess();
                break;
            case AdmissionOutcomeKind.Skipped:
            case AdmissionOutcomeKind.Ignored:
                _metrics.CountSkip(outcome.Code);
                break;
            case AdmissionOutcomeKind.Denied:
                _metrics.CountDenial(outcome.Code);
                break;
            default:
                _metrics.CountFailure();
                break;
        }

        return outcome;
    }

    private static string? StringAt(JsonObject? node, string property) =>
        node?[property] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    private static string Describe(JsonNode? node) => node is null ? "null" : node.GetValueKind().ToString().ToLowerInvariant();
}
