using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook;

/// <summary>
/// Holds the serving certificate and re-reads the PEM pair when its bytes change. It polls by content hash rather
/// than watching files, because Kubernetes Secret volumes swap a <c>..data</c> symlink that file watchers miss.
/// A half-written or mismatched pair is logged and the previous certificate stays in use.
/// </summary>
public sealed class CertificateReloader : IDisposable, IPoller
{
    private readonly string _certFile;
    private readonly string _keyFile;
    private readonly ILogger _logger;
    private readonly Lock _reloadLock = new();
    private volatile X509Certificate2? _current;
    private byte[]? _lastHash;
    private readonly PollingTimer _poller;

    public CertificateReloader(string certFile, string keyFile, TimeSpan interval, ILogger<CertificateReloader> logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(certFile);
        ArgumentException.ThrowIfNullOrEmpty(keyFile);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _certFile = certFile;
        _keyFile = keyFile;
        _poller = new PollingTimer(interval, () => TryReload(), e => WebhookLog.CertificateReloadFailed(logger, e, certFile, keyFile));
        _logger = logger;
    }

    /// <summary>The certificate new TLS handshakes get; null until a pair has loaded.</summary>
    public X509Certificate2? Current => _current;

    /// <summary>Raised after a new certificate is in use.</summary>
    public event Action<X509Certificate2>? Reloaded;

    /// <summary>
    /// Reads the pair; when its bytes differ from the last attempt, loads it. Returns true when a new certificate is now in use.
    /// A pair that fails to load is not retried until its bytes change again.
    /// </summary>
    public bool TryReload()
    {
        lock (_reloadLock)
        {
            byte[] certPem;
            byte[] keyPem;
            try
            {
                certPem = File.ReadAllBytes(_certFile);
                keyPem = File.ReadAllBytes(_keyFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (_lastHash is not null || _current is null)
                {
                    WebhookLog.CertificateReloadFailed(_logger, e, _certFile, _keyFile);
                }

                _lastHash = null;
                return false;
            }

            var hash = Hash(certPem, keyPem);
            if (_lastHash is not null && hash.AsSpan().SequenceEqual(_lastHash))
            {
                return false;
            }

            _lastHash = hash;
            X509Certificate2 loaded;
            try
            {
                loaded = Load(certPem, keyPem);
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException or FormatException)
            {
                WebhookLog.CertificateReloadFailed(_logger, e, _certFile, _keyFile);
                return false;
            }

            // Kestrel checks the serving EKU of a selected certificate on every handshake, from many threads at once; the
            // certificate's extensions decode lazily and not thread-safely (a cold start once refused a valid certificate),
            // so they are decoded here, on one thread, before the certificate is published.
            Warm(loaded);

            // The previous certificate is not disposed: handshakes in flight may still hold it.
            _current = loaded;
            WebhookLog.CertificateReloaded(_logger, _certFile, loaded.Subject, loaded.SerialNumber, loaded.NotAfter.ToUniversalTime());
            Reloaded?.Invoke(loaded);
            return true;
        }
    }

    /// <summary>Starts polling every interval (the first poll happens after one interval).</summary>
    public void Start() => _poller.Start();

    /// <summary>Stops polling.</summary>
    public void Stop() => _poller.Stop();

    public void Dispose() => _poller.Dispose();

    /// <summary>
    /// Loads a PEM certificate and private key, re-imported as PKCS#12 so that SslStream can use the key on every
    /// platform (a key attached by CreateFromPem is ephemeral, which Windows' SChannel refuses).
    /// </summary>
    internal static X509Certificate2 Load(ReadOnlySpan<byte> certPem, ReadOnlySpan<byte> keyPem)
    {
        var certText = System.Text.Encoding.UTF8.GetString(certPem);
        var keyText = System.Text.Encoding.UTF8.GetString(keyPem);
        using var pem = X509Certificate2.CreateFromPem(certText, keyText);
        if (!pem.HasPrivateKey)
        {
            throw new CryptographicException("the certificate has no private key");
        }

        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
    }

    private static void Warm(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509EnhancedKeyUsageExtension usage)
            {
                foreach (var oid in usage.EnhancedKeyUsages)
                {
                    _ = oid.Value;
                }
            }
            else if (extension is X509KeyUsageExtension keyUsage)
            {
                _ = keyUsage.KeyUsages;
            }
        }
    }

    private static byte[] Hash(byte[] cert, byte[] key)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(BitConverter.GetBytes(cert.Length));
        sha.AppendData(cert);
        sha.AppendData(key);
        return sha.GetHashAndReset();
    }
}
