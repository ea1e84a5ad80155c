using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using Injector.Core;
using Injector.Core.Policy;
using Injector.Documents;
using Injector.Webhook.Cluster;
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

    /// <summary>The review could not be decoded.</summary>
    Failed,
}

/// <summary>The review to send back, with what happened for logs, metrics and Events.</summary>
/// <param name="Review">The AdmissionReview to write (apiVersion, kind and uid echoed from the request when it could be read).</param>
/// <param name="Kind">How it ended.</param>
/// <param name="Code">The skip reason code, decision code, denial code or a short failure label.</param>
/// <param name="PodNamespace">The pod's namespace (empty when unknown), escaped for logs.</param>
/// <param name="PodName">The pod's name or generateName (empty when unknown), escaped for logs.</param>
/// <param name="DryRun">The request was a dry run (kubectl --dry-run=server): nothing is persisted, so nothing is recorded.</param>
public sealed record AdmissionOutcome(
    AdmissionReview Review,
    AdmissionOutcomeKind Kind,
    string Code,
    string PodNamespace,
    string PodName,
    bool DryRun = false)
{
    /// <summary>Why a pod was denied or a review failed, escaped for logs (null otherwise).</summary>
    public string? Message { get; init; }

    /// <summary>The decision's reason in words (injected or skipped; null otherwise), for the Event.</summary>
    public string? Sentence { get; init; }

    /// <summary>The templates injected, comma-joined (empty unless injected).</summary>
    public string Templates { get; init; } = "";

    /// <summary>The revision of the injector that answered.</summary>
    public string Revision { get; init; } = "default";

    /// <summary>The workload whose pod this was, for an Event (null when the pod has no controller, or was not read).</summary>
    public Events.EventSubject? Subject { get; init; }

    /// <summary>
    /// The response as encoded once, all but its uid (<see cref="AnswerBytes"/>), for answers the memo keeps or gives
    /// (a review decoded from bytes with the memo on); null otherwise.
    /// </summary>
    internal ReadOnlyMemory<byte>? ResponseTail { get; init; }

    /// <summary>The label of <see cref="Kind"/> in logs, metrics and traces.</summary>
    public string OutcomeLabel => Kind switch
    {
        AdmissionOutcomeKind.Injected => "injected",
        AdmissionOutcomeKind.Skipped => "skipped",
        AdmissionOutcomeKind.Ignored => "ignored",
        AdmissionOutcomeKind.Denied => "denied",
        _ => "failed",
    };
}

/// <summary>
/// The webhook's seam between HTTP plumbing and the injector: review bytes (or a decoded review) in, review out.
/// Never throws: every failure becomes <c>allowed: false</c> with a message, as Istio does. The injector's closed
/// result is read here once, for the response, the log line and the metrics.
/// </summary>
public sealed class AdmissionHandler
{
    /// <summary>Reason code of objects that are not pods (counted as skips, labelled <c>ignored</c>).</summary>
    public const string NotAPodCode = "not-a-pod";

    /// <summary>Code for a review that could not be decoded.</summary>
    public const string UndecodableCode = "undecodable";

    /// <summary>Code for a review whose object is not a JSON object.</summary>
    public const string BadObjectCode = "bad-object";

    /// <summary>The longest request uid answered (16 KiB); the API server's are UUIDs of 36 characters.</summary>
    public const int MaxUidLength = 16 * 1024;

    /// <summary>The longest denial message sent back; the API server shows it to the user.</summary>
    public const int MaxMessageLength = 4096;

    private readonly IPodInjectorSource _injectors;
    private readonly WebhookMetrics _metrics;
    private readonly ILogger _logger;
    private readonly INamespaceAnnotations? _namespaces;
    private readonly AdmissionMemo? _memo;

    public AdmissionHandler(IPodInjectorSource injectors, WebhookMetrics metrics, ILogger<AdmissionHandler> logger, INamespaceAnnotations? namespaces = null, AdmissionMemo? memo = null)
    {
        ArgumentNullException.ThrowIfNull(injectors);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        _injectors = injectors;
        _metrics = metrics;
        _logger = logger;
        _namespaces = namespaces;
        _memo = memo;
    }

    /// <summary>The revision of the injector in force.</summary>
    public string Revision => _injectors.Current.Revision;

    /// <summary>Decodes an AdmissionReview (v1 or v1beta1) and handles it. <paramref name="path"/> is the request path (<c>/inject…</c>).</summary>
    public async Task<AdmissionOutcome> ReviewAsync(ReadOnlyMemory<byte> body, string path, CancellationToken cancellationToken)
    {
        if (!Utf8.IsValid(body.Span))
        {
            return Undecodable("could not decode AdmissionReview: the body is not valid UTF-8", body.Span);
        }

        var (tooLong, objectRange, decoded) = ReviewReader.Read(body.Span);
        if (tooLong is not null)
        {
            return Undecodable($"could not decode AdmissionReview: {tooLong}", body.Span);
        }

        AdmissionReview? review = null;
        MemoKey? key = null;
        var decode = Core.InjectorTracing.Source.StartActivity("decode");
        try
        {
            // A rollout's pods arrive as identical objects: the memo is looked up by the object's bytes before the
            // object is read at all. On a miss only the object is left to read.
            if (_memo is not null && objectRange is { } range)
            {
                (AdmissionOutcome? Hit, MemoKey? Key, AdmissionReview? Review) lookup;
                try
                {
                    lookup = await LookUpAsync(body, body[range], decoded, path, cancellationToken).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Whatever failed (a namespace read, say), the full path answers this request and reports it.
                catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
                {
                    lookup = default;
                }

                if (lookup.Hit is { } hit)
                {
                    // The stages' spans are absent on a hit; the admission span says why.
                    (decode?.Parent ?? decode)?.SetTag("injector.memo", "hit");
                    return Count(hit);
                }

                key = lookup.Key;
                review = lookup.Review is { } rest && ReadObject(rest, body[range]) ? rest : null;
            }

            review ??= JsonSerializer.Deserialize(body.Span, ReviewDecoding.Full.AdmissionReview);
        }
        catch (JsonException e)
        {
            decode?.SetStatus(ActivityStatusCode.Error);
            return Undecodable($"could not decode AdmissionReview: {Cut(Explain(e))}", body.Span);
        }
#pragma warning disable CA1031 // A body that trips the serializer in any other way is still just an undecodable review.
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException or FormatException)
#pragma warning restore CA1031
        {
            decode?.SetStatus(ActivityStatusCode.Error);
            return Undecodable($"could not decode AdmissionReview: {Cut(Explain(e))}", body.Span);
        }
        finally
        {
            // The span covers the decoding only; the injection's spans are its siblings.
            decode?.Dispose();
        }

        if (review is null)
        {
            return Undecodable("could not decode AdmissionReview: the body is null");
        }

        if (review.Kind != AdmissionReview.ReviewKind || review.ApiVersion is not (AdmissionReview.V1 or AdmissionReview.V1Beta1))
        {
            return Undecodable(
                $"unsupported review apiVersion {Quote(review.ApiVersion)} kind {Quote(review.Kind)}, want {AdmissionReview.ReviewKind} of {AdmissionReview.V1} or {AdmissionReview.V1Beta1}");
        }

        if (review.Request is null)
        {
            return Undecodable("AdmissionReview has no request");
        }

        if (review.Request.Uid is { Length: > MaxUidLength } uid)
        {
            // The answer echoes the uid: a megabyte uid would make a megabyte answer. Kubernetes' are 36 characters.
            return Undecodable($"request.uid is {uid.Length} characters long, more than the limit of {MaxUidLength}");
        }

        try
        {
            return Count(await RespondAsync(review, review.Request, path, key, cancellationToken).ConfigureAwait(false));
        }
#pragma warning disable CA1031 // The core never throws; this guards the plumbing around it, so an answer is always written.
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            WebhookLog.InjectorFailed(_logger, e, LogText.Escape(review.Request.Namespace), LogText.Escape(review.Request.Name), DenialReason.InternalError.Code);
            var response = AdmissionResponses.Errored(review.Request.Uid, $"injection failed: internal error ({e.GetType().Name})");
            return Count(new AdmissionOutcome(Answer(review, response), AdmissionOutcomeKind.Denied, DenialReason.InternalError.Code, LogText.Escape(review.Request.Namespace), LogText.Escape(review.Request.Name), review.Request.DryRun == true)
            {
                Message = response.Status?.Message,
            });
        }
    }

    /// <summary>Answers a decoded review: echoes apiVersion, kind and uid, and fills the response.</summary>
    public async Task<AdmissionOutcome> HandleAsync(AdmissionReview review, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(review);
        return Count(await RespondAsync(review, review.Request ?? new AdmissionRequest(), path, key: null, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Answers one request. <paramref name="key"/> (the memo's key, when the review came as bytes and the memo is on)
    /// names the injector to use and where the answer is kept.
    /// </summary>
    private async Task<AdmissionOutcome> RespondAsync(AdmissionReview review, AdmissionRequest request, string path, MemoKey? key, CancellationToken ct)
    {
        var uid = request.Uid;
        var dryRun = request.DryRun == true;
        var requestName = LogText.Escape(request.Name);
        var requestNamespace = LogText.Escape(request.Namespace);
        if (!IsPodCreation(request))
        {
            return new AdmissionOutcome(Answer(review, AdmissionResponses.Allowed(uid)), AdmissionOutcomeKind.Ignored, NotAPodCode, requestNamespace, requestName, dryRun);
        }

        if (request.Object is not JsonObject pod)
        {
            var message = $"could not read the pod: request.object is {Describe(request.Object)}, want a JSON object";
            return new AdmissionOutcome(Answer(review, AdmissionResponses.Errored(uid, message)), AdmissionOutcomeKind.Failed, BadObjectCode, requestNamespace, requestName, dryRun)
            {
                Message = message,
            };
        }

        var metadata = pod["metadata"] as JsonObject;
        var podNamespace = StringAt(metadata, "namespace") ?? request.Namespace ?? "";
        var ns = LogText.Escape(podNamespace);
        var podName = StringAt(metadata, "name") ?? StringAt(metadata, "generateName");
        var name = LogText.Escape(podName ?? request.Name);

        // The key's injector, when there is a key: what is kept under it must be its answer.
        var injector = key?.Injector ?? _injectors.Current;
        var namespaceAnnotations = await NamespaceAnnotationsAsync(injector, podNamespace, ct).ConfigureAwait(false);
        var pathEnv = PathEnv.Parse(path, _logger);
        var result = injector.Inject(new InjectionRequest(pod, request.Namespace, InjectionDoor.Webhook, pathEnv, NamespaceAnnotations: namespaceAnnotations), ct);
        var patch = result is InjectionResult.Injected injected ? injected.PatchJson : null;
        var subject = Events.EventSubject.Of(pod, podNamespace);
        var outcome = Outcome(review, request, result, patch, ns, name, subject);
        if (key is not null)
        {
            // Encoded once: for this answer, and for the hits to come.
            outcome = outcome with { ResponseTail = AnswerBytes.Tail(outcome.Review.Response!) };
            _memo!.Record(hit: false);
            _metrics.CountMemo(hit: false);

            // The injected pod is not kept: the patch's bytes are what is sent, and the response as encoded once.
            _memo.Add(key, new MemoAnswer(result is InjectionResult.Injected i ? i with { Pod = [] } : result, patch)
            {
                PodNamespace = podNamespace,
                Namespace = ns,
                Name = podName is null ? null : name,
                Subject = subject,
                NamespaceAnnotations = namespaceAnnotations,
                ResponseTail = outcome.ResponseTail,
            });
        }

        return outcome;
    }

    /// <summary>
    /// The memo's answer for this review, when it has one: the review is decoded without its object (only what every
    /// answer echoes, and what decides whether it is a pod), and the object's bytes are the key. The namespace's
    /// annotations, when the injector reads them, must be the very ones the answer was computed with. On a miss, the
    /// key is returned for the answer to be kept under, with the review read so far. <paramref name="decoded"/> is the
    /// review as <see cref="ReviewReader"/> read it, when it could.
    /// </summary>
    private async ValueTask<(AdmissionOutcome? Hit, MemoKey? Key, AdmissionReview? Review)> LookUpAsync(ReadOnlyMemory<byte> body, ReadOnlyMemory<byte> objectBytes, AdmissionReview? decoded, string path, CancellationToken ct)
    {
        AdmissionReview? review;
        try
        {
            review = decoded ?? JsonSerializer.Deserialize(body.Span, ReviewDecoding.WithoutObject.AdmissionReview);
        }
#pragma warning disable CA1031 // Whatever is wrong, the full decoding finds it and says so.
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException or FormatException)
#pragma warning restore CA1031
        {
            return (null, null, null);
        }

        if (review is not { Kind: AdmissionReview.ReviewKind, ApiVersion: AdmissionReview.V1 or AdmissionReview.V1Beta1, Request: { } request }
            || request.Uid is { Length: > MaxUidLength }
            || !IsPodCreation(request))
        {
            return (null, null, null);
        }

        var injector = _injectors.Current;
        var key = MemoKey.Of(injector, request.Namespace, path, objectBytes.Span);
        if (!_memo!.TryGet(key, out var kept)
            || !ReferenceEquals(await NamespaceAnnotationsAsync(injector, kept.PodNamespace, ct).ConfigureAwait(false), kept.NamespaceAnnotations))
        {
            return (null, key, review);
        }

        _memo.Record(hit: true);
        _metrics.CountMemo(hit: true);
        return (Outcome(review, request, kept.Result, kept.Patch, kept.Namespace, kept.Name ?? LogText.Escape(request.Name), kept.Subject, kept.ResponseTail), key, null);
    }

    /// <summary>
    /// Reads the object into a review decoded without it, as strictly as the full decoding; false when it cannot be
    /// read (the full decoding then says why, in its words).
    /// </summary>
    private static bool ReadObject(AdmissionReview review, ReadOnlyMemory<byte> objectBytes)
    {
        try
        {
            review.Request!.Object = Injector.Documents.JsonTree.Parse(objectBytes.Span, ReviewDecoding.ObjectMaxDepth);
            return true;
        }
#pragma warning disable CA1031 // Any failure: the full decoding reports it.
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException or FormatException)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    /// <summary>The namespace's annotations, when the injector reads them and they can be read (null otherwise).</summary>
    private async ValueTask<IReadOnlyDictionary<string, string>?> NamespaceAnnotationsAsync(IPodInjector injector, string podNamespace, CancellationToken ct) =>
        injector.ReadsNamespaceAnnotations && _namespaces is not null && podNamespace.Length > 0
            ? await _namespaces.GetAsync(podNamespace, ct).ConfigureAwait(false)
            : null;

    /// <summary>The answer to a pod's review from the injector's result (computed now, or kept in the memo).</summary>
    private AdmissionOutcome Outcome(AdmissionReview review, AdmissionRequest request, InjectionResult result, byte[]? patch, string ns, string name, Events.EventSubject? subject, ReadOnlyMemory<byte>? responseTail = null)
    {
        var uid = request.Uid;
        AdmissionOutcome Of(AdmissionResponse response, AdmissionOutcomeKind kind) =>
            new(Answer(review, response), kind, result.Code, ns, name, request.DryRun == true) { Subject = subject, ResponseTail = responseTail };
        switch (result)
        {
            case InjectionResult.Injected injected:
                return Of(AdmissionResponses.Patched(uid, patch!, result.Warnings), AdmissionOutcomeKind.Injected) with
                {
                    Templates = string.Join(',', injected.Templates),
                    Sentence = injected.Reason.Sentence,
                };
            case InjectionResult.Skipped skipped:
                return Of(AdmissionResponses.Allowed(uid, result.Warnings), AdmissionOutcomeKind.Skipped) with { Sentence = skipped.Reason.Sentence };
            case InjectionResult.Denied denied:
                if (denied.Cause is { } cause)
                {
                    // Logged once, with the stack; the user sees the short message.
                    WebhookLog.InjectorFailed(_logger, cause, ns, name, denied.Code);
                }

                return Of(AdmissionResponses.Denied(uid, Cut(denied.Message), result.Warnings), AdmissionOutcomeKind.Denied) with
                {
                    Message = LogText.Escape(denied.Message, 1024),
                };
            default:
                throw new InvalidOperationException($"unknown injection result {result.GetType().Name}");
        }
    }

    /// <summary>A pod's creation (or update): what the injector answers; anything else is admitted unchanged.</summary>
    private static bool IsPodCreation(AdmissionRequest request) =>
        request.Kind?.Kind == "Pod"
        && (request.Resource is not { } resource || resource.Resource == "pods")
        && string.IsNullOrEmpty(request.SubResource);

    /// <summary>The review's apiVersion and kind echoed around a response.</summary>
    private static AdmissionReview Answer(AdmissionReview review, AdmissionResponse response) =>
        new() { ApiVersion = review.ApiVersion, Kind = review.Kind, Response = response };

    /// <summary>
    /// The review was refused as a whole (a repeated key, nesting past 64, a lone surrogate: JSON Go would read). The
    /// API server matches answers by uid, so when its apiVersion, kind and uid can still be read they are echoed.
    /// </summary>
    private AdmissionOutcome Undecodable(string message, ReadOnlySpan<byte> body = default)
    {
        var (apiVersion, kind, uid) = body.IsEmpty ? default : ReviewIdentity.Read(body);
        var echo = kind == AdmissionReview.ReviewKind && apiVersion is AdmissionReview.V1 or AdmissionReview.V1Beta1;
        var review = new AdmissionReview
        {
            ApiVersion = echo ? apiVersion : "",
            Kind = echo ? kind : "",
            Response = AdmissionResponses.Errored(echo ? uid : "", message),
        };
        return Count(new AdmissionOutcome(review, AdmissionOutcomeKind.Failed, UndecodableCode, "", "") { Message = LogText.Escape(message, 1024) });
    }

    /// <summary>
    /// Istio's counters as istiod keeps them (a skip, or a failure: a denial or an undecodable review) and ours,
    /// labelled. Istio's success counter is the endpoint's: it counts answers written.
    /// </summary>
    private AdmissionOutcome Count(AdmissionOutcome outcome)
    {
        outcome = outcome with { Revision = Revision };
        switch (outcome.Kind)
        {
            case AdmissionOutcomeKind.Skipped:
            case AdmissionOutcomeKind.Ignored:
                _metrics.CountSkip();
                break;
            case AdmissionOutcomeKind.Denied:
            case AdmissionOutcomeKind.Failed:
                _metrics.CountFailure();
                break;
        }

        // The pod picks its templates (inject.istio.io/templates, repeats allowed): the label is the set, sorted, so
        // the series stay bounded by the configured templates.
        _metrics.CountAdmission(outcome.OutcomeLabel, outcome.Code, TemplatesLabel(outcome.Templates), outcome.Revision, outcome.DryRun);
        return outcome;
    }

    /// <summary>The set of templates, sorted and comma-joined; one template (the usual case) is its own label.</summary>
    internal static string TemplatesLabel(string templates) => templates.Contains(',', StringComparison.Ordinal)
        ? string.Join(',', templates.Split(',').Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        : templates;

    /// <summary>A repeated key, in plain words: the serializer's message, or a node's ArgumentException.</summary>
    private static string Explain(Exception e)
    {
        const string marker = "An item with the same key has already been added. Key: ";
        const string duplicate = "Duplicate property '";
        if (e is ArgumentException && e.Message.StartsWith(marker, StringComparison.Ordinal))
        {
            var key = e.Message[marker.Length..];
            var end = key.LastIndexOf(" (Parameter", StringComparison.Ordinal);
            return $"the key {Quote(end >= 0 ? key[..end] : key)} is repeated in an object";
        }

        if (e is JsonException && e.Message.StartsWith(duplicate, StringComparison.Ordinal)
            && e.Message.IndexOf("' encountered", duplicate.Length, StringComparison.Ordinal) is var close and > 0)
        {
            return $"the key {Quote(e.Message[duplicate.Length..close])} is repeated in an object";
        }

        return e.Message;
    }

    private static string Cut(string message) => AdmissionResponses.Cut(message, MaxMessageLength, "…");

    private static string Quote(string? text) => JsonValue.Create(text is { Length: > 64 } ? text[..64] + "…" : text ?? "").ToJsonString();

    private static string? StringAt(JsonObject? node, string property) =>
        JsonText.Of(node?[property]) is { Length: > 0 } text ? text : null;

    private static string Describe(JsonNode? node) => node is null ? "null" : node.GetValueKind().ToString().ToLowerInvariant();
}
