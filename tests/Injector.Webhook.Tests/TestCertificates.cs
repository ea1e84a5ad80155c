using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Injector.Webhook.Tests;

/// <summary>A throwaway CA and the serving certificates it signs, minted with .NET's CertificateRequest APIs.</summary>
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

    /// <summary>A serving certificate for localhost and 127.0.0.1, as PEM strings.</summary>
    public (string CertPem, string KeyPem, X509Certificate2 Certificate) Issue(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var issued = request.Create(Certificate, DateTimeOffset.UtcNow.AddMinutes(-5), Certificate.NotAfter.AddHours(-1), serial);
        return (issued.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), issued);
    }

    /// <summary>Accepts only certificates that chain to this CA and match the host name.</summary>
    public bool Validate(X509Certificate2? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}

/// <summary>
/// A directory laid out like a Kubernetes Secret volume: <c>tls.crt</c> → <c>..data/tls.crt</c>, <c>..data</c> → a
/// timestamped directory; updates write a new directory and swap <c>..data</c> atomically.
/// </summary>
internal sealed class SecretVolume : IDisposable
{
    private int _generation;

    public SecretVolume()
    {
        Root = Directory.CreateTempSubdirectory("injector-webhook-test-").FullName;
    }

    public string Root { get; }

    public string CertFile => Path.Combine(Root, "tls.crt");

    public string KeyFile => Path.Combine(Root, "tls.key");

    /// <summary>Publishes a new pair the way the kubelet does.</summary>
    public void Publish(string certPem, string keyPem)
    {
        var generation = Interlocked.Increment(ref _generation);
        var dirName = $"..{DateTime.UtcNow:yyyy_MM_dd_HH_mm_ss}.{generation}";
        var dir = Path.Combine(Root, dirName);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "tls.crt"), certPem);
        File.WriteAllText(Path.Combine(dir, "tls.key"), keyPem);

        var data = Path.Combine(Root, "..data");
        var temp = Path.Combine(Root, "..data_tmp");
        File.Delete(temp);
        File.CreateSymbolicLink(temp, dirName);
        Rename(temp, data);

        foreach (var name in new[] { "tls.crt", "tls.key" })
        {
            var link = Path.Combine(Root, name);
            if (!File.Exists(link))
            {
                File.CreateSymbolicLink(link, Path.Combine("..data", name));
            }
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>rename(2) over the existing symlink: the swap is atomic, so readers see the old pair or the new one.</summary>
    private static void Rename(string from, string to)
    {
        using var mv = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("mv", ["-T", "-f", from, to])
        {
            UseShellExecute = false,
        })!;
        mv.WaitForExit(10_000);
        if (mv.ExitCode != 0)
        {
            throw new IOException($"mv -T {from} {to} failed with {mv.ExitCode}");
        }
    }
}
