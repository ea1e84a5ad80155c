using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Injector.Fuzz.Cases;
using Injector.Fuzz.Server;

namespace Injector.Fuzz.Running;

/// <summary>
/// HTTP/1.1 over TLS by hand, for oversized bodies: the body is written by one task while another reads the answer,
/// so an early 400 followed by the server closing the connection is still read. HttpClient gives up with the
/// write's broken pipe instead, which would blame the server for the client's impatience.
/// </summary>
internal static class RawHttpClient
{
    private const int MaxResponseBytes = 1024 * 1024;

    public static async Task<Exchange> SendAsync(Uri baseUri, FuzzCase c, LocalCa ca, CancellationToken run)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(run);
        timeout.CancelAfter(WebhookClient.RequestTimeout);
        var ct = timeout.Token;
        var started = Stopwatch.GetTimestamp();
        using var tcp = new TcpClient(AddressFamily.InterNetwork) { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(IPAddress.Loopback, baseUri.Port, ct).ConfigureAwait(false);
            var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, ca.Validate);
            await using (tls.ConfigureAwait(false))
            {
                await tls.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = "127.0.0.1",
                        ApplicationProtocols = [SslApplicationProtocol.Http11],
                    },
                    ct).ConfigureAwait(false);
                var headers = new StringBuilder()
                    .Append(CultureInfo.InvariantCulture, $"POST {c.PathAndQuery} HTTP/1.1\r\n")
                    .Append(CultureInfo.InvariantCulture, $"Host: 127.0.0.1:{baseUri.Port}\r\n");
                if (c.ContentType is { } type)
                {
                    headers.Append(CultureInfo.InvariantCulture, $"Content-Type: {type}\r\n");
                }

                headers.Append(c.Chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {c.Body.Length.ToString(CultureInfo.InvariantCulture)}\r\n").Append("\r\n");
                using var stopSending = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var sending = SendBodyAsync(tls, Encoding.ASCII.GetBytes(headers.ToString()), c, stopSending.Token);
                (int? Status, byte[] Body, bool Complete, string? Error) answer;
                string? sendError;
                try
                {
                    answer = await ReadResponseAsync(tls, ct).ConfigureAwait(false);
                }
                finally
                {
                    // The answer is in (or reading failed): stop writing the rest of an oversized body.
                    await stopSending.CancelAsync().ConfigureAwait(false);
                    sendError = await ObserveAsync(sending).ConfigureAwait(false);
                }

                var (status, body, complete, readError) = answer;
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (status is null || !complete)
                {
                    if (run.IsCancellationRequested)
                    {
                        return Failed(ms, ExchangeFailure.Cancelled, "run stopped");
                    }

                    return Failed(ms, timeout.IsCancellationRequested ? ExchangeFailure.Timeout : ExchangeFailure.Connection,
                        $"no complete answer ({(status is null ? "no status line" : $"status {status}, body cut")}); read: {readError ?? "EOF"}; write: {sendError ?? "finished"}");
                }

                return new Exchange(status, null, body, false, ms, ExchangeFailure.None, null, "HTTP/1.1 (raw)");
            }
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested)
        {
            return Failed(Stopwatch.GetElapsedTime(started).TotalMilliseconds, ExchangeFailure.Cancelled, "run stopped");
        }
        catch (OperationCanceledException)
        {
            return Failed(Stopwatch.GetElapsedTime(started).TotalMilliseconds, ExchangeFailure.Timeout, "no answer within 15 s");
        }
        catch (Exception e) when (e is IOException or SocketException or System.Security.Authentication.AuthenticationException)
        {
            return Failed(Stopwatch.GetElapsedTime(started).TotalMilliseconds, ExchangeFailure.Connection, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static Exchange Failed(double ms, ExchangeFailure failure, string error) => new(null, null, [], false, ms, failure, error, "HTTP/1.1 (raw)");

    private static async Task SendBodyAsync(SslStream tls, byte[] headers, FuzzCase c, CancellationToken ct)
    {
        await tls.WriteAsync(headers, ct).ConfigureAwait(false);
        if (c.Chunked)
        {
            await c.Body.WriteAsync(new ChunkedWriter(tls), ct).ConfigureAwait(false);
            await tls.WriteAsync("0\r\n\r\n"u8.ToArray(), ct).ConfigureAwait(false);
        }
        else
        {
            await c.Body.WriteAsync(tls, ct).ConfigureAwait(false);
        }

        await tls.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The send's failure, if any: expected once the server has answered and closed.</summary>
    private static async Task<string?> ObserveAsync(Task sending)
    {
        try
        {
            await sending.ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    /// <summary>Reads one response: status line, headers, then a body framed by Content-Length, chunks or the end of the connection.</summary>
    private static async Task<(int? Status, byte[] Body, bool Complete, string? Error)> ReadResponseAsync(SslStream tls, CancellationToken ct)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        string? error = null;
        var eof = false;
        while (buffer.Length < MaxResponseBytes)
        {
            int read;
            try
            {
                read = await tls.ReadAsync(chunk, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                error = $"{e.GetType().Name}: {e.Message}";
                break;
            }

            if (read == 0)
            {
                eof = true;
                break;
            }

            buffer.Write(chunk, 0, read);
            if (Parse(buffer.ToArray(), eof: false) is { Complete: true } done)
            {
                return (done.Status, done.Body, true, null);
            }
        }

        var last = Parse(buffer.ToArray(), eof);
        return (last.Status, last.Body, last.Complete, error);
    }

    private static (int? Status, byte[] Body, bool Complete) Parse(byte[] data, bool eof)
    {
        var end = data.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return (null, [], false);
        }

        var head = Encoding.ASCII.GetString(data, 0, end).Split("\r\n");
        var statusParts = head[0].Split(' ', 3);
        int? status = statusParts.Length >= 2 && int.TryParse(statusParts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code : null;
        var body = data[(end + 4)..];
        var headers = head.Skip(1).Select(h => h.Split(':', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim(), StringComparer.Ordinal);
        if (headers.TryGetValue("content-length", out var lengthText) && long.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            return body.Length >= length ? (status, body[..(int)length], true) : (status, body, false);
        }

        if (headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            return Dechunk(body) is { } plain ? (status, plain, true) : (status, body, false);
        }

        return (status, body, eof);
    }

    /// <summary>The body of a complete chunked message; null while the last chunk has not arrived.</summary>
    private static byte[]? Dechunk(byte[] body)
    {
        var plain = new MemoryStream();
        var at = 0;
        while (true)
        {
            var line = body.AsSpan(at).IndexOf("\r\n"u8);
            if (line < 0)
            {
                return null;
            }

            var sizeText = Encoding.ASCII.GetString(body, at, line).Split(';')[0].Trim();
            if (!int.TryParse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size))
            {
                return null;
            }

            at += line + 2;
            if (size == 0)
            {
                return plain.ToArray();
            }

            if (at + size + 2 > body.Length)
            {
                return null;
            }

            plain.Write(body, at, size);
            at += size + 2;
        }
    }

    /// <summary>Chunked transfer coding over the TLS stream: every write becomes one chunk.</summary>
    private sealed class ChunkedWriter(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (buffer.Length == 0)
            {
                return;
            }

            await inner.WriteAsync(Encoding.ASCII.GetBytes(buffer.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"), cancellationToken).ConfigureAwait(false);
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            await inner.WriteAsync("\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
