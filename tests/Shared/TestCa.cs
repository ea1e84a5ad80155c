using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Injector.Testing;

/// <summary>
/// A throwaway CA and the serving certificates it signs, minted with .NET's CertificateRequest APIs. Shared (as a
/// linked source file) by the webhook tests, the conformance tests and the load test.
/// </summary>
internal sealed class TestCa : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCa()
    {
        var request = new CertificateRequest("CN=Injector Test CA", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>A client certificate (clientAuth), with its private key, as the API server would present.</summary>
    public X509Certificate2 IssueClient(string commonName)
    {
        var (certPem, keyPem, issued) = Issue(commonName, "1.3.6.1.5.5.7.3.2");
        issued.Dispose();
        using var withKey = X509Certificate2.CreateFromPem(certPem, keyPem);

        // Exported and loaded again: TLS on Linux needs a certificate whose key is not ephemeral.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A serving certificate for localhost and 127.0.0.1, as PEM strings.</summary>
    public (string CertPem, string KeyPem, X509Certificate2 Certificate) Issue(string commonName) => Issue(commonName, "1.3.6.1.5.5.7.3.1");

    private (string CertPem, string KeyPem, X509Certificate2 Certificate) Issue(string commonName, string usage)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var issued = request.Create(Certificate, DateTimeOffset.UtcNow.AddMinutes(-5), Certificate.NotAfter.AddHours(-1), serial);
        return (issued.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), issued);
    }

    /// <summary>The CA certificate as PEM (a client CA bundle).</summary>
    public string CertificatePem => Certificate.ExportCertificatePem();

    /// <summary>Accepts only certificates that chain to this CA and match the host name.</summary>
    public bool Validate(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(presented);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}
