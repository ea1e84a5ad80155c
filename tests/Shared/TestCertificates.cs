using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Injector.Testing;

/// <summary>
/// One serving certificate for 127.0.0.1 from a fresh <see cref="TestCa"/>, written as PEM to a temp dir, and an
/// HttpClient that trusts only that CA. Shared (as a linked source file) by the conformance tests and the load test.
/// </summary>
internal sealed class TestCertificates : IDisposable
{
    private readonly TestCa _ca = new();

    public TestCertificates()
    {
        var (certPem, keyPem, issued) = _ca.Issue("injector-test");
        issued.Dispose();
        Directory = System.IO.Directory.CreateTempSubdirectory("injector-certs-").FullName;
        CertFile = Path.Combine(Directory, "tls.crt");
        KeyFile = Path.Combine(Directory, "tls.key");
        File.WriteAllText(CertFile, certPem);
        File.WriteAllText(KeyFile, keyPem);
    }

    public X509Certificate2 Ca => _ca.Certificate;

    public string Directory { get; }

    public string CertFile { get; }

    public string KeyFile { get; }

    /// <summary>Accepts only a certificate that chains to the test CA and matches the host.</summary>
    public bool Validate(X509Certificate? certificate, SslPolicyErrors errors) => _ca.Validate(certificate, errors);

    /// <summary>An HttpClient for https://127.0.0.1:PORT that trusts only this CA.</summary>
    public HttpClient CreateClient(int port)
    {
        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, errors) => Validate(cert, errors) };
        return new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public void Dispose()
    {
        _ca.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
