using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook;

/// <summary>
/// The CA bundle that TLS client certificates must chain to (<c>--client-ca</c>), re-read when its bytes change like
/// the serving certificate. A bundle that fails to load is logged and the previous one stays in use.
/// </summary>
public sealed partial class ClientCaReloader : IDisposable, IPoller
{
    private readonly string _file;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly PollingTimer _poller;
    private volatile X509Certificate2Collection? _roots;
    private byte[]? _lastHash;

    public ClientCaReloader(string file, TimeSpan interval, ILogger<ClientCaReloader> logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        ArgumentNullException.ThrowIfNull(logger);
        _file = file;
        _logger = logger;
        _poller = new PollingTimer(interval, () => TryReload(), e => LogFailed(logger, e, file));
    }

    /// <summary>How many CA certificates are in force (0 until a bundle loaded: every client is then refused).</summary>
    public int Count => _roots?.Count ?? 0;

    public bool TryReload()
    {
        lock (_lock)
        {
            byte[] pem;
            try
            {
                pem = File.ReadAllBytes(_file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogFailed(_logger, e, _file);
                return false;
            }

            var hash = SHA256.HashData(pem);
            if (_lastHash is not null && hash.AsSpan().SequenceEqual(_lastHash))
            {
                return false;
            }

            _lastHash = hash;
            var roots = new X509Certificate2Collection();
            try
            {
                roots.ImportFromPem(System.Text.Encoding.ASCII.GetString(pem));
            }
            catch (CryptographicException e)
            {
                LogFailed(_logger, e, _file);
                return false;
            }

            if (roots.Count == 0)
            {
                LogFailed(_logger, new CryptographicException("no certificate in the bundle"), _file);
                return false;
            }

            _roots = roots;
            LogLoaded(_logger, roots.Count, _file);
            return true;
        }
    }

    /// <summary>Kestrel's client-certificate check: the certificate must chain to one of the loaded CAs.</summary>
    public bool Validate(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var roots = _roots;
        if (roots is null || roots.Count == 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;

        // A certificate meant for serving is not a client's: clientAuth is required when the certificate names its uses.
        custom.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements.Skip(1))
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return custom.Build(certificate);
    }

    public void Start() => _poller.Start();

    public void Stop() => _poller.Stop();

    public void Dispose() => _poller.Dispose();

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Client CA bundle loaded from {File}: {Count} certificate(s)")]
    private static partial void LogLoaded(ILogger logger, int count, string file);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "Could not load the client CA bundle from {File}; keeping the previous one")]
    private static partial void LogFailed(ILogger logger, Exception exception, string file);
}
