using Microsoft.Extensions.Logging;

namespace Injector.Webhook;

/// <summary>How the webhook server listens, where its certificates are, and the bounds it keeps.</summary>
public sealed record WebhookServerOptions
{
    /// <summary>Istio's limit on an admission request body (6 MiB).</summary>
    public const long DefaultMaxBodyBytes = 6 * 1024 * 1024;

    /// <summary>IP address to bind (<c>0.0.0.0</c>, <c>::</c>, <c>127.0.0.1</c> …) or <c>localhost</c>.</summary>
    public string Address { get; init; } = "0.0.0.0";

    /// <summary>TLS port of <c>/inject</c>; 0 picks an ephemeral port (see <see cref="WebhookServer.GetPort"/>).</summary>
    public int Port { get; init; } = 9443;

    /// <summary>
    /// Plain-HTTP port for <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c>, so that <c>/inject</c> is the only TLS
    /// surface; 0 picks an ephemeral port (<see cref="WebhookServer.GetHealthPort"/>). Null serves them on the TLS port.
    /// </summary>
    public int? HealthPort { get; init; }

    /// <summary>The console's plain-HTTP listener (its JSON API at <c>/api/v1/</c>); null: no console.</summary>
    public string? ConsoleAddress { get; init; }

    /// <summary>The console's port; 0 picks a free one.</summary>
    public int ConsolePort { get; init; }

    /// <summary>The MutatingWebhookConfiguration whose selectors the console's explain evaluates; null: that step is left out.</summary>
    public System.Text.Json.Nodes.JsonObject? WebhookConfiguration { get; init; }

    /// <summary>PEM certificate (chain) file, e.g. <c>/etc/webhook/certs/tls.crt</c>.</summary>
    public required string TlsCertFile { get; init; }

    /// <summary>PEM private key file, e.g. <c>/etc/webhook/certs/tls.key</c>.</summary>
    public required string TlsKeyFile { get; init; }

    /// <summary>
    /// PEM CA bundle; when set, TLS clients must present a certificate it issued (the API server's, configured with an
    /// AdmissionConfiguration kubeconfig). Re-read when its bytes change.
    /// </summary>
    public string? ClientCaFile { get; init; }

    /// <summary>How often the certificate files are checked for new content.</summary>
    public TimeSpan CertificateReloadInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest admission request body accepted; larger ones get HTTP 400 with Istio's message.</summary>
    public long MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    /// <summary>
    /// Request bodies read and injected at once, in bytes (a pod's JSON tree takes several times its text). Past it,
    /// requests wait, within their deadline, for others to finish.
    /// </summary>
    public long MaxInFlightBodyBytes { get; init; } = 2 * DefaultMaxBodyBytes;

    /// <summary>Open connections at most; the API server keeps a few alive, so this only bounds abuse.</summary>
    public long MaxConnections { get; init; } = 1000;

    /// <summary>A client gets this long to send its request headers.</summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// On stop (SIGTERM), <c>/readyz</c> fails at once and the server goes on serving for this long, so endpoints drop
    /// the pod before it stops answering and a rollout fails no pod creation.
    /// </summary>
    public TimeSpan ShutdownDelay { get; init; } = TimeSpan.Zero;

    /// <summary>After the delay, requests in flight get this long to finish.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Answers remembered for identical pods (a rollout's); 0 turns the memo off.</summary>
    public int MemoEntries { get; init; } = AdmissionMemo.DefaultMaxEntries;

    /// <summary>How log lines are written to stdout: one text line each, or one JSON object each (time, level, event id, message, fields).</summary>
    public LogFormat LogFormat { get; init; } = LogFormat.Text;

    /// <summary>The least severe level logged (Information: one line per admission).</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Optional logging setup (providers, levels) applied after <see cref="LogFormat"/> and <see cref="LogLevel"/>.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>
    /// Configuration keys the standard <c>OTEL_*</c> environment variables would otherwise give (tests point the OTLP
    /// exporter at a local receiver with it); the environment still applies under them.
    /// </summary>
    public IReadOnlyDictionary<string, string?>? Settings { get; init; }

    /// <summary>The metrics' meter name; each test server takes its own, so parallel servers in one process count apart.</summary>
    public string MeterName { get; init; } = WebhookMetrics.DefaultMeterName;

    /// <summary>Extra trace exporters (a test's in-memory one); the OTLP exporter is added when an <c>OTEL_*</c> endpoint is set.</summary>
    public Action<OpenTelemetry.Trace.TracerProviderBuilder>? ConfigureTracing { get; init; }
}

/// <summary>The format of the server's log lines.</summary>
public enum LogFormat
{
    /// <summary>One human-readable line per entry: time, level, category and event id, message.</summary>
    Text,

    /// <summary>One JSON object per line: Timestamp, LogLevel, EventId, Category, Message and State (the fields).</summary>
    Json,
}
