using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Injector.Webhook;

/// <summary>
/// The first TLS handshake builds the serving certificate's chain, and on Linux that first loads the system's trust
/// store (every certificate under /etc/ssl/certs: 60-80 ms, cached by the runtime afterwards). Started first thing in
/// <c>serve</c>, on another core, the load overlaps the configuration's parsing and the host's start-up instead of
/// delaying the first admission's answer.
/// </summary>
public static class TrustStoreWarmup
{
    /// <summary>Builds the chain of the certificate in <paramref name="certificateFile"/> in the background; failures are left to the certificate reloader to report.</summary>
    public static Task Start(string certificateFile) => Task.Run(() =>
    {
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificateFile));
            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.DisableCertificateDownloads = true;
            chain.Build(certificate);
        }
#pragma warning disable CA1031 // A warm-up only: whatever is wrong with the file, the reloader reads it again and says so.
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
#pragma warning restore CA1031
        {
        }
    });
}
