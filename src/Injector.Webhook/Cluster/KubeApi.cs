using System.Net.Http.Headers;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Injector.Documents;

namespace Injector.Webhook.Cluster;

/// <summary>
/// The few calls the webhook makes to the Kubernetes API (get, list, watch, create, merge patch), over one
/// <see cref="HttpClient"/>, with objects as raw JSON. Our own rather than KubernetesClient's: its typed models need
/// reflection-based JSON (no Native AOT) and drop fields they do not know, and these five calls are all we need.
/// </summary>
public sealed class KubeApi : IDisposable
{
    /// <summary>Where a pod's service account is mounted.</summary>
    public const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>The longest answer read (a list of every namespace or node of a large cluster fits many times over).</summary>
    private const int MaxAnswerBytes = 64 * 1024 * 1024;

    /// <summary>The longest line of a watch (one object).</summary>
    private const int MaxWatchLineBytes = 8 * 1024 * 1024;

    /// <summary>A connection to the API server that is not up in this long is given up (the call fails, and is retried).</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly MediaTypeHeaderValue MergePatch = new("application/merge-patch+json");

    private readonly HttpClient _http;
    private readonly Func<string?> _token;

    /// <param name="server">The API server's address (https://…, or http:// in tests).</param>
    /// <param name="handler">The HTTP handler (the in-cluster one trusts the cluster's CA); a plain one when null.</param>
    /// <param name="token">The bearer token for each request (re-read, so a rotated token is used); none when null.</param>
    public KubeApi(Uri server, HttpMessageHandler? handler = null, Func<string?>? token = null)
    {
        _http = new HttpClient(handler ?? new SocketsHttpHandler { ConnectTimeout = ConnectTimeout }, disposeHandler: true)
        {
            BaseAddress = server,

            // Each call has its own deadline (the caller's token); a watch lasts minutes.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("injector", "1"));
        _token = token ?? (() => null);
    }

    /// <summary>
    /// The API server of the cluster this pod runs in (<c>KUBERNETES_SERVICE_HOST</c>, the service account's token and
    /// CA), or null outside a cluster.
    /// </summary>
    public static KubeApi? InCluster() =>
        InCluster(ServiceAccountDirectory, Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"), Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT"), TimeSpan.FromMinutes(1));

    /// <summary>The same from a service account directory, host and port (tests); the token is read again after <paramref name="tokenRefresh"/>.</summary>
    internal static KubeApi? InCluster(string directory, string? host, string? port, TimeSpan tokenRefresh)
    {
        var tokenFile = Path.Combine(directory, "token");
        var caFile = Path.Combine(directory, "ca.crt");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port) || !File.Exists(tokenFile) || !File.Exists(caFile))
        {
            return null;
        }

        var authority = new X509Certificate2Collection();
        authority.ImportFromPemFile(caFile);
        var handler = new SocketsHttpHandler { ConnectTimeout = ConnectTimeout };
        // The chain is checked against the cluster's CA below; the name (the service's IP) must match as usual.
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, presented, errors) =>
            certificate is not null && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None && Trusted(certificate, presented, authority);
        var token = new RotatingToken(tokenFile, tokenRefresh);
        var server = new UriBuilder("https", host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host, int.Parse(port, System.Globalization.CultureInfo.InvariantCulture)).Uri;
        return new KubeApi(server, handler, token.Current);
    }

    /// <summary>Reads one object.</summary>
    public Task<JsonObject> GetAsync(string path, CancellationToken ct) => CallAsync(HttpMethod.Get, path, null, null, ct);

    /// <summary>Creates an object; returns it as stored.</summary>
    public Task<JsonObject> CreateAsync(string path, JsonObject body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        return CallAsync(HttpMethod.Post, path, body, Json, ct);
    }

    /// <summary>Changes an object with a JSON merge patch (RFC 7386); returns it as stored.</summary>
    public Task<JsonObject> MergePatchAsync(string path, JsonObject patch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(patch);
        return CallAsync(HttpMethod.Patch, path, patch, MergePatch, ct);
    }

    /// <summary>
    /// Watches a collection from a resourceVersion (with bookmarks) until the server ends the watch: each event as its
    /// type (<c>ADDED</c>, <c>MODIFIED</c>, <c>DELETED</c>, <c>BOOKMARK</c>, <c>ERROR</c>) and object (an ERROR's is
    /// a Status).
    /// </summary>
    public async IAsyncEnumerable<(string Type, JsonObject Object)> WatchAsync(string path, string resourceVersion, int timeoutSeconds, [EnumeratorCancellation] CancellationToken ct)
    {
        var query = $"?watch=true&allowWatchBookmarks=true&resourceVersion={Uri.EscapeDataString(resourceVersion)}&timeoutSeconds={timeoutSeconds}";
        using var request = Request(HttpMethod.Get, path + query, null, null);
        using var response = await ResponseAsync(request, ct).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var lines = new WatchLines(stream, MaxWatchLineBytes);
            while (await lines.NextAsync(ct).ConfigureAwait(false) is { } line)
            {
                if (line.IsEmpty)
                {
                    continue;
                }

                if (JsonNode.Parse(line.Span) is not JsonObject watchEvent
                    || JsonText.Of(watchEvent["type"]) is not { } typeName
                    || watchEvent["object"] is not JsonObject item)
                {
                    throw new KubeApiException(0, null, "the watch sent an event that is not {type, object}");
                }

                yield return (typeName, item);
            }
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>A path segment (a namespace, a name), escaped.</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);

    private async Task<JsonObject> CallAsync(HttpMethod method, string path, JsonObject? body, MediaTypeHeaderValue? type, CancellationToken ct)
    {
        using var request = Request(method, path, body?.ToJsonString(), type);
        using var response = await ResponseAsync(request, ct).ConfigureAwait(false);
        var bytes = await ReadBoundedAsync(response, ct).ConfigureAwait(false);
        return JsonNode.Parse(bytes) as JsonObject ?? throw new KubeApiException((int)response.StatusCode, null, "the API server answered with no JSON object");
    }

    private HttpRequestMessage Request(HttpMethod method, string path, string? body, MediaTypeHeaderValue? type)
    {
        var request = new HttpRequestMessage(method, path);
        if (_token() is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = type;
        }

        return request;
    }

    /// <summary>Sends a request; its response (headers read, the body not yet), or the failure the API server answered.</summary>
    private async Task<HttpResponseMessage> ResponseAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await FailureAsync(response, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The API server's Status (reason and message) for a refused call, when it sent one.</summary>
    private static async Task<KubeApiException> FailureAsync(HttpResponseMessage response, CancellationToken ct)
    {
        JsonObject? status = null;
        try
        {
            status = JsonNode.Parse(await ReadBoundedAsync(response, ct).ConfigureAwait(false)) as JsonObject;
        }
        catch (Exception e) when (e is JsonException or HttpRequestException or IOException or InvalidDataException)
        {
            // No Status: the status line says it.
        }

        return KubeApiException.FromStatus(status, (int)response.StatusCode, $"the API server answered {(int)response.StatusCode} {response.ReasonPhrase}");
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength > MaxAnswerBytes)
        {
            throw new InvalidDataException($"the API server's answer is larger than {MaxAnswerBytes} bytes");
        }

        var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[64 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxAnswerBytes)
                {
                    throw new InvalidDataException($"the API server's answer is larger than {MaxAnswerBytes} bytes");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    /// <summary>
    /// The API server's certificate chains to the cluster's CA (the service account's ca.crt) and to nothing else, through
    /// the intermediates it presented.
    /// </summary>
    private static bool Trusted(X509Certificate certificate, X509Chain? presented, X509Certificate2Collection authority)
    {
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(leaf);
    }

    /// <summary>The service account's token, read again every so often (a minute): the kubelet rotates bound tokens in place.</summary>
    private sealed class RotatingToken(string file, TimeSpan refresh)
    {
        private readonly Lock _lock = new();
        private string? _token;
        private DateTime _readAt;

        public string? Current()
        {
            lock (_lock)
            {
                if (_token is null || DateTime.UtcNow - _readAt > refresh)
                {
                    try
                    {
                        _token = File.ReadAllText(file).Trim();
                        _readAt = DateTime.UtcNow;
                    }
                    catch (IOException)
                    {
                        // Mid-rotation: the token read last time is still valid for a while.
                    }
                }

                return _token;
            }
        }
    }

    /// <summary>Newline-delimited lines of a stream, each at most a bound long.</summary>
    private sealed class WatchLines(Stream stream, int maxLine)
    {
        private byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        public async ValueTask<ReadOnlyMemory<byte>?> NextAsync(CancellationToken ct)
        {
            while (true)
            {
                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline >= 0)
                {
                    var line = _buffer.AsMemory(_start, newline - _start);
                    _start = newline + 1;
                    return line;
                }

                if (_start > 0)
                {
                    Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }

                if (_end == _buffer.Length)
                {
                    if (_buffer.Length >= maxLine)
                    {
                        throw new InvalidDataException($"a watch event is longer than {maxLine} bytes");
                    }

                    Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, maxLine));
                }

                var read = await stream.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
                if (read == 0)
                {
                    // The server ended the watch; a last line without a newline still counts.
                    if (_end > _start)
                    {
                        var rest = _buffer.AsMemory(_start, _end - _start);
                        _start = _end;
                        return rest;
                    }

                    return null;
                }

                _end += read;
            }
        }
    }
}

/// <summary>A call the API server refused (its HTTP status, its Status reason), or an answer that could not be read.</summary>
public sealed class KubeApiException(int statusCode, string? reason, string message) : Exception(message)
{
    /// <summary>The HTTP status (0 when the answer itself was wrong).</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>The Status reason (<c>NotFound</c>, <c>Forbidden</c>, <c>Expired</c>), when the server sent one.</summary>
    public string? Reason { get; } = reason;

    /// <summary>
    /// A failure from the API server's Status (a refused call's body, a watch's ERROR event): its reason, and its
    /// message after <paramref name="what"/>. <paramref name="statusCode"/> null: the Status's own code.
    /// </summary>
    public static KubeApiException FromStatus(JsonObject? status, int? statusCode, string what)
    {
        var code = statusCode ?? ((status?["code"] as JsonValue)?.TryGetValue<int>(out var c) == true ? c : 0);
        var message = JsonText.Of(status?["message"]) is { } detail ? $"{what}: {detail}" : what;
        return new KubeApiException(code, JsonText.Of(status?["reason"]), message);
    }
}
