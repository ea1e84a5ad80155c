using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Injector.Fuzz.Server;

/// <summary>
/// A throwaway CA and the server certificate it signs (EC P-256, SAN 127.0.0.1 and localhost, serverAuth), written as
/// PEM files for the server, and trusted by the fuzzer's client alone: nothing goes into the machine's trust store.
/// </summary>
internal sealed class LocalCa : IDisposable
{
    private readonly X509Certificate2 _ca;

    private LocalCa(X509Certificate2 ca, string certFile, string keyFile, string caFile)
    {
        _ca = ca;
        CertFile = certFile;
        KeyFile = keyFile;
        CaFile = caFile;
    }

    public string CertFile { get; }

    public string KeyFile { get; }

    public string CaFile { get; }

    /// <summary>Mints the CA and the server certificate into <paramref name="dir"/> (ca.crt, tls.crt, tls.key).</summary>
    public static LocalCa Create(string dir)
    {
        Directory.CreateDirectory(dir);
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Injector Fuzz CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(ca, now.AddMinutes(-5), now.AddDays(1), serial);

        var certFile = Path.Combine(dir, "tls.crt");
        var keyFile = Path.Combine(dir, "tls.key");
        var caFile = Path.Combine(dir, "ca.crt");
        File.WriteAllText(certFile, issued.ExportCertificatePem() + "\n");
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem() + "\n");
        File.WriteAllText(caFile, ca.ExportCertificatePem() + "\n");
        return new LocalCa(ca, certFile, keyFile, caFile);
    }

    /// <summary>For <see cref="SslClientAuthenticationOptions.RemoteCertificateValidationCallback"/>: only a chain to this CA, for the right name.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? presentedChain, SslPolicyErrors errors)
    {
        // The chain error is expected (the CA is in no system store); a name mismatch or a missing certificate is not.
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(presented);
    }

    public void Dispose() => _ca.Dispose();
}
