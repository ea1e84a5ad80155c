using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook;

/// <summary>The HTTP plumbing of <c>POST /inject</c>, in Istio's order; the decisions are in <see cref="AdmissionHandler"/>.</summary>
internal sealed class InjectEndpoint(AdmissionHandler handler, WebhookMetrics metrics, long maxBodyBytes, ILogger<InjectEndpoint> logger)
{
    public const string NoBody = "no body found";
    public const string WantJson = "invalid Content-Type, want `application/json`";

    public async Task ServeAsync(HttpContext context)
    {
        metrics.CountRequest();
        var started = Stopwatch.GetTimestamp();
        try
        {
            await ServeCoreAsync(context, started).ConfigureAwait(false);
        }
        finally
        {
            metrics.ObserveDuration(Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task ServeCoreAsync(HttpContext context, long started)
    {
        var (body, readError) = await ReadBodyAsync(context).ConfigureAwait(false);
        if (readError is not null)
        {
            await FailAsync(context, StatusCodes.Status400BadRequest, readError).ConfigureAwait(false);
            return;
        }

        if (body.Length == 0)
        {
            await FailAsync(context, StatusCodes.Status400BadRequest, NoBody).ConfigureAwait(false);
            return;
        }

        // Istio checks the body before the content type, and compares the header as a plain string.
        if (context.Request.Headers.ContentType.ToString() != "application/json")
        {
            await FailAsync(context, StatusCodes.Status415UnsupportedMediaType, WantJson).ConfigureAwait(false);
            return;
        }

        var outcome = handler.Review(body, context.Request.Path.Value ?? "/inject");
        WebhookLog.RequestProcessed(
            logger,
            outcome.PodNamespace,
            outcome.PodName,
            outcome.Kind.ToString(),
            outcome.Code,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);

        byte[] json;
        try
        {
            json = JsonSerializer.SerializeToUtf8Bytes(outcome.Review, AdmissionJsonContext.Default.AdmissionReview);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            WebhookLog.WriteFailed(logger, e);
            await WriteTextAsync(context, StatusCodes.Status500InternalServerError, $"could not encode response: {e.Message}").ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = json.Length;
        try
        {
            await context.Response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            WebhookLog.WriteFailed(logger, e);
        }
    }

    private async Task<(byte[] Body, string? Error)> ReadBodyAsync(HttpContext context)
    {
        var tooLarge = $"request entity is too large, limit is {maxBodyBytes}";
        if (context.Request.ContentLength is { } declared && declared > maxBodyBytes)
        {
            return ([], tooLarge);
        }

        try
        {
            using var buffer = new MemoryStream(context.Request.ContentLength is { } length ? (int)length : 0);
            var chunk = new byte[81920];
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > maxBodyBytes)
                {
                    return ([], tooLarge);
                }

                buffer.Write(chunk, 0, read);
            }

            return (buffer.ToArray(), null);
        }
        catch (Exception e) when (e is IOException or BadHttpRequestException or OperationCanceledException)
        {
            return ([], $"could not read the request body (limit is {maxBodyBytes} bytes): {e.Message}");
        }
    }

    private async Task FailAsync(HttpContext context, int statusCode, string message)
    {
        metrics.CountFailure();
        WebhookLog.Rejected(logger, statusCode, message);
        await WriteTextAsync(context, statusCode, message).ConfigureAwait(false);
    }

    /// <summary>Go's <c>http.Error</c>: plain text, the message and a newline.</summary>
    private static async Task WriteTextAsync(HttpContext context, int statusCode, string message)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        await context.Response.WriteAsync(message + "\n", context.RequestAborted).ConfigureAwait(false);
    }
}
