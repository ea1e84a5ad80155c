using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook;

/// <summary>
/// The HTTP plumbing of <c>POST /inject</c>, in Istio's order; the decisions are in <see cref="AdmissionHandler"/>.
/// Every request runs under a deadline from the API server's <c>timeout</c> parameter, and holds its body's size from
/// a shared <see cref="BodyBudget"/> while it is read and injected.
/// </summary>
internal sealed class InjectEndpoint(
    AdmissionHandler handler,
    WebhookMetrics metrics,
    BodyBudget budget,
    long maxBodyBytes,
    ILogger<InjectEndpoint> logger,
    Console.RecentDecisions? decisions = null,
    Events.IAdmissionEventSink? events = null)
{
    /// <summary>
    /// Request body buffers. Not the shared pool: it keeps up to eight arrays of every size per core, which for bodies of
    /// up to 6 MiB pins hundreds of megabytes; this one keeps two of each size.
    /// </summary>
    private static readonly ArrayPool<byte> Buffers = ArrayPool<byte>.Create(maxArrayLength: 8 * 1024 * 1024, maxArraysPerBucket: 2);

    public const string NoBody = "no body found";
    public const string WantJson = "invalid Content-Type, want `application/json`";
    public const string Overloaded = "the injector is busy: the request's deadline passed while other large requests were being injected; retry";

    /// <summary>Outcome label of a request refused before its review was read (HTTP 400, 415 or 503).</summary>
    public const string RejectedOutcome = "rejected";

    /// <summary>Reason codes of those refusals, for the labelled metric and the log line.</summary>
    public static class RejectedCode
    {
        public const string TooLarge = "body-too-large";
        public const string Unreadable = "body-unreadable";
        public const string NoBody = "no-body";
        public const string ContentType = "content-type";
        public const string Overloaded = "overloaded";
    }

    public async Task ServeAsync(HttpContext context)
    {
        metrics.CountRequest();
        var started = Stopwatch.GetTimestamp();
        var outcome = RejectedOutcome;
        using var span = StartSpan(context);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(RequestDeadline.For(context.Request.Query["timeout"].ToString()));
        try
        {
            outcome = await ServeCoreAsync(context, started, span, deadline.Token).ConfigureAwait(false);
        }
        finally
        {
            metrics.ObserveDuration(Stopwatch.GetElapsedTime(started), outcome);
            span?.SetTag("injector.outcome", outcome);
        }
    }

    /// <summary>
    /// The admission's span (null when no trace exporter listens). The API server sends W3C trace context when its own
    /// tracing is on; the span continues that trace.
    /// </summary>
    private static Activity? StartSpan(HttpContext context)
    {
        var parent = ActivityContext.TryParse(context.Request.Headers.TraceParent.ToString(), context.Request.Headers.TraceState.ToString(), out var remote)
            ? remote
            : default;
        // ASP.NET Core starts an unrecorded activity of its own whenever logging is on; as a parent it would make the
        // sampler drop this span. The remote parent, when there is one, is the traceparent parsed above.
        Activity.Current = null;
        return Core.InjectorTracing.Source.StartActivity("admission", ActivityKind.Server, parent);
    }

    /// <summary>What the span says of an answered admission: names (escaped, as logged), never pod contents.</summary>
    private static void Describe(Activity? span, AdmissionOutcome outcome)
    {
        if (span is null)
        {
            return;
        }

        span.SetTag("k8s.namespace.name", outcome.PodNamespace);
        span.SetTag("k8s.pod.name", outcome.PodName);
        if (outcome.Subject is { } subject)
        {
            span.SetTag("injector.workload", LogText.Escape($"{subject.Workload.Kind}/{subject.Workload.Name}"));
        }

        span.SetTag("injector.reason", outcome.Code);
        span.SetTag("injector.revision", outcome.Revision);
        span.SetTag("injector.dry_run", outcome.DryRun);
        if (outcome.Templates.Length > 0)
        {
            span.SetTag("injector.templates", outcome.Templates);
        }

        if (outcome.Kind is AdmissionOutcomeKind.Denied or AdmissionOutcomeKind.Failed)
        {
            span.SetStatus(ActivityStatusCode.Error, outcome.Code);
        }
    }

    /// <summary>Istio's message for a body past the limit.</summary>
    private string TooLarge => $"request entity is too large, limit is {maxBodyBytes}";

    /// <summary>Serves one request; returns its outcome label.</summary>
    private async Task<string> ServeCoreAsync(HttpContext context, long started, Activity? span, CancellationToken deadline)
    {
        var declared = context.Request.ContentLength;
        if (declared > maxBodyBytes)
        {
            return await FailAsync(context, StatusCodes.Status400BadRequest, RejectedCode.TooLarge, TooLarge, closeConnection: true).ConfigureAwait(false);
        }

        using var lease = await budget.AcquireAsync(declared ?? maxBodyBytes, deadline).ConfigureAwait(false);
        if (lease is null)
        {
            return context.RequestAborted.IsCancellationRequested
                ? RejectedOutcome
                : await FailAsync(context, StatusCodes.Status503ServiceUnavailable, RejectedCode.Overloaded, Overloaded, closeConnection: false).ConfigureAwait(false);
        }

        var (body, length, readError) = await ReadBodyAsync(context, deadline).ConfigureAwait(false);
        try
        {
            return await AnswerAsync(context, started, span, body, length, readError, deadline).ConfigureAwait(false);
        }
        finally
        {
            // The decoded review holds copies, not the buffer: it goes back to the pool, so large bodies do not each
            // leave a large-object-heap array behind for the next full collection.
            if (body.Length > 0)
            {
                Buffers.Return(body);
            }
        }
    }

    private async Task<string> AnswerAsync(HttpContext context, long started, Activity? span, byte[] body, int length, string? readError, CancellationToken deadline)
    {
        if (readError is not null)
        {
            var code = readError == TooLarge ? RejectedCode.TooLarge : RejectedCode.Unreadable;
            return await FailAsync(context, StatusCodes.Status400BadRequest, code, readError, closeConnection: true).ConfigureAwait(false);
        }

        if (length == 0)
        {
            return await FailAsync(context, StatusCodes.Status400BadRequest, RejectedCode.NoBody, NoBody, closeConnection: false).ConfigureAwait(false);
        }

        // Istio checks the body before the content type, and compares the header as a plain string.
        if (context.Request.Headers.ContentType.ToString() != "application/json")
        {
            return await FailAsync(context, StatusCodes.Status415UnsupportedMediaType, RejectedCode.ContentType, WantJson, closeConnection: false).ConfigureAwait(false);
        }

        var outcome = await handler.ReviewAsync(body.AsMemory(0, length), context.Request.Path.Value ?? "/inject", deadline).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Log(outcome, elapsed);
        Describe(span, outcome);
        decisions?.Record(new Console.Decision(DateTimeOffset.UtcNow, outcome.PodNamespace, outcome.PodName, outcome.Kind.ToString(), outcome.Code, elapsed, outcome.DryRun));

        (byte[] Bytes, int Length, bool Rented) json;
        try
        {
            json = AnswerBytes.Encode(outcome, Buffers);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            WebhookLog.WriteFailed(logger, e);
            await WriteTextAsync(context, StatusCodes.Status500InternalServerError, $"could not encode response: {e.Message}").ConfigureAwait(false);
            return outcome.OutcomeLabel;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = json.Length;
        try
        {
            await context.Response.Body.WriteAsync(json.Bytes.AsMemory(0, json.Length), context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            WebhookLog.WriteFailed(logger, e);
            return outcome.OutcomeLabel;
        }
        finally
        {
            if (json.Rented)
            {
                Buffers.Return(json.Bytes);
            }
        }

        // Istio counts a success for every answer written, whatever it said.
        metrics.CountWritten();
        if (!outcome.DryRun)
        {
            // A dry run persists nothing, so it leaves no record on the workload either.
            events?.Add(outcome);
        }

        return outcome.OutcomeLabel;
    }

    /// <summary>One line per admission, with its reason; names are escaped, pod contents never logged.</summary>
    private void Log(AdmissionOutcome outcome, double elapsedMs)
    {
        var run = outcome.DryRun ? "Dry-run admission" : "Admission";
        switch (outcome.Kind)
        {
            case AdmissionOutcomeKind.Injected:
                WebhookLog.Injected(logger, run, outcome.PodNamespace, outcome.PodName, outcome.Code, outcome.Templates, outcome.Revision, elapsedMs);
                break;
            case AdmissionOutcomeKind.Skipped:
            case AdmissionOutcomeKind.Ignored:
                WebhookLog.NotInjected(logger, run, outcome.PodNamespace, outcome.PodName, outcome.OutcomeLabel, outcome.Code, outcome.Revision, elapsedMs);
                break;
            default:
                WebhookLog.Refused(logger, run, outcome.PodNamespace, outcome.PodName, outcome.OutcomeLabel, outcome.Code, outcome.Revision, elapsedMs, outcome.Message ?? "");
                break;
        }
    }

    /// <summary>Reads the body into one buffer sized by Content-Length (grown when unknown), never past the limit.</summary>
    private async Task<(byte[] Body, int Length, string? Error)> ReadBodyAsync(HttpContext context, CancellationToken deadline)
    {
        // Kestrel's own cap is lifted for this request: the handler counts, so an oversized body gets a readable answer
        // instead of a connection dropped mid-upload.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = null;
        }

        // One pooled buffer, sized by Content-Length (grown when unknown), returned by the caller.
        var buffer = Buffers.Rent(context.Request.ContentLength is { } length ? (int)Math.Max(length, 1) : 16 * 1024);
        try
        {
            var total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (buffer.Length >= maxBodyBytes + 1)
                    {
                        return Fail(TooLarge);
                    }

                    var larger = Buffers.Rent((int)Math.Min(buffer.Length * 2L, maxBodyBytes + 1));
                    buffer.AsSpan(0, total).CopyTo(larger);
                    Buffers.Return(buffer);
                    buffer = larger;
                }

                var read = await context.Request.Body.ReadAsync(buffer.AsMemory(total), deadline).ConfigureAwait(false);
                if (read == 0)
                {
                    return (buffer, total, null);
                }

                total += read;
                if (total > maxBodyBytes)
                {
                    return Fail(TooLarge);
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            return Fail("the request body did not arrive before the request's deadline");
        }
        catch (Exception e) when (e is IOException or BadHttpRequestException or OperationCanceledException)
        {
            return Fail($"could not read the request body (limit is {maxBodyBytes} bytes): {e.Message}");
        }

        (byte[], int, string?) Fail(string error)
        {
            Buffers.Return(buffer);
            return ([], 0, error);
        }
    }

    private async Task<string> FailAsync(HttpContext context, int statusCode, string code, string message, bool closeConnection)
    {
        metrics.CountFailure();
        metrics.CountAdmission(RejectedOutcome, code, "", handler.Revision, dryRun: false);
        WebhookLog.Rejected(logger, statusCode, code, LogText.Escape(message, 1024));
        if (closeConnection && context.Request.Protocol is "HTTP/1.1" or "HTTP/1.0")
        {
            // The rest of the body is not read: the connection is closed after the answer rather than drained.
            context.Response.Headers.Connection = "close";
        }

        await WriteTextAsync(context, statusCode, message).ConfigureAwait(false);
        return RejectedOutcome;
    }

    /// <summary>Go's <c>http.Error</c>: plain text, the message and a newline.</summary>
    private static async Task WriteTextAsync(HttpContext context, int statusCode, string message)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        try
        {
            await context.Response.WriteAsync(message + "\n", context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The caller went away; nothing more to tell it.
        }
    }
}
