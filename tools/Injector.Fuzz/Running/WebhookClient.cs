using System.Diagnostics;
using System.Net;
using Injector.Fuzz.Cases;
using Injector.Fuzz.Server;

namespace Injector.Fuzz.Running;

/// <summary>
/// The fuzzer's HTTPS client: trusts only the run's CA, talks to 127.0.0.1 only, gives every request 15 s and reads
/// answers up to 32 MiB. The response is read while the body is still being sent, so an early 400 for an oversized
/// body is seen as an answer, not as a dropped connection.
/// </summary>
internal sealed class WebhookClient : IDisposable
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);
    private const int MaxResponseBytes = 32 * 1024 * 1024;
    private readonly HttpClient _http;
    private readonly LocalCa _ca;

    public WebhookClient(LocalCa ca)
    {
        _ca = ca;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
            AllowAutoRedirect = false,
        };
        handler.SslOptions.RemoteCertificateValidationCallback = ca.Validate;
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<Exchange> SendAsync(Uri baseUri, FuzzCase fuzzCase, CancellationToken run)
    {
        if (!fuzzCase.Http2 && fuzzCase.Body.Length > FuzzCase.BodyLimit)
        {
            return await RawHttpClient.SendAsync(baseUri, fuzzCase, _ca, run).ConfigureAwait(false);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(run);
        timeout.CancelAfter(RequestTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, fuzzCase.PathAndQuery));
        if (fuzzCase.Http2)
        {
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        var content = new BodyContent(fuzzCase.Body, fuzzCase.Chunked);
        if (fuzzCase.ContentType is { } type)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", type);
        }

        request.Content = content;
        if (fuzzCase.Chunked && !fuzzCase.Http2)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var (body, capped) = await ReadCappedAsync(response.Content, timeout.Token).ConfigureAwait(false);
            return new Exchange(
                (int)response.StatusCode,
                response.Content.Headers.ContentType?.ToString(),
                body,
                capped,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                ExchangeFailure.None,
                null,
                $"HTTP/{response.Version}");
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested)
        {
            return Failed(started, ExchangeFailure.Cancelled, "run stopped");
        }
        catch (OperationCanceledException)
        {
            return Failed(started, ExchangeFailure.Timeout, $"no answer within {RequestTimeout.TotalSeconds} s");
        }
        catch (HttpRequestException e)
        {
            return Failed(started, ExchangeFailure.Connection, Message(e));
        }
        catch (IOException e)
        {
            return Failed(started, ExchangeFailure.Connection, Message(e));
        }
    }

    public void Dispose() => _http.Dispose();

    private static Exchange Failed(long started, ExchangeFailure failure, string error) =>
        new(null, null, [], false, Stopwatch.GetElapsedTime(started).TotalMilliseconds, failure, error, null);

    private static async Task<(byte[] Body, bool Capped)> ReadCappedAsync(HttpContent content, CancellationToken ct)
    {
        var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[64 * 1024];
            while (true)
            {
                var read = await stream.ReadAsync(chunk, ct).ConfigureAwait(false);
                if (read == 0)
                {
                    return (buffer.ToArray(), false);
                }

                if (buffer.Length + read > MaxResponseBytes)
                {
                    return (buffer.ToArray(), true);
                }

                buffer.Write(chunk, 0, read);
            }
        }
    }

    /// <summary>The exception chain in one line (the inner socket error says what really happened).</summary>
    private static string Message(Exception e)
    {
        var parts = new List<string>();
        for (Exception? current = e; current is not null && parts.Count < 4; current = current.InnerException)
        {
            parts.Add($"{current.GetType().Name}: {current.Message}");
        }

        return string.Join(" <- ", parts);
    }
}
