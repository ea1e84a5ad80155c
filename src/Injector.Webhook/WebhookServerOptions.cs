using Microsoft.Extensions.Logging;

namespace Injector.Webhook;

/// <summary>How the webhook server listens and where its certificate is.</summary>
public sealed record WebhookServerOptions
{
    /// <summary>Istio's limit on an admission request body (6 MiB).</summary>
    public const long DefaultMaxBodyBytes = 6 * 1024 * 1024;

    /// <summary>IP address to bind (<c>0.0.0.0</c>, <c>::</c>, <c>127.0.0.1</c> …) or <c>localhost</c>.</summary>
    public string Address { get; init; } = "0.0.0.0";

    /// <summary>TCP port; 0 picks an ephemeral port (see <see cref="WebhookServer.GetPort"/>).</summary>
    public int Port { get; init; } = 9443;

    /// <summary>PEM certificate (chain) file, e.g. <c>/etc/webhook/certs/tls.crt</c>.</summary>
    public required string TlsCertFile { get; init; }

    /// <summary>PEM private key file, e.g. <c>/etc/webhook/certs/tls.key</c>.</summary>
    public required string TlsKeyFile { get; init; }

    /// <summary>How often the certificate files are checked for new content.</summary>
    public TimeSpan CertificateReloadInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest admission request body accepted; larger ones get HTTP 400.</summary>
    public long MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    /// <summary>Optional logging setup (providers, levels); the default is the console at Information.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}
