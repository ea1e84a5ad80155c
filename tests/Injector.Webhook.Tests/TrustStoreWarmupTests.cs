using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Injector.Webhook.Tests;

/// <summary>The trust store's warm-up at start: it builds the serving certificate's chain, and nothing about the file can make it fail.</summary>
public sealed class TrustStoreWarmupTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("injector-warmup-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_certificate_is_read_and_its_chain_built()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=injector.istio-system.svc", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var file = Path.Combine(_dir, "tls.crt");
        await File.WriteAllTextAsync(file, certificate.ExportCertificatePem(), TestContext.Current.CancellationToken);

        var warm = TrustStoreWarmup.Start(file);
        await warm.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.True(warm.IsCompletedSuccessfully);
    }

    [Theory]
    [InlineData("missing.crt", null)]
    [InlineData("empty.crt", "")]
    [InlineData("garbage.crt", "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")]
    [InlineData("key-only.crt", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")]
    public async Task A_file_that_is_missing_or_no_certificate_is_left_to_the_reloader(string name, string? text)
    {
        var file = Path.Combine(_dir, name);
        if (text is not null)
        {
            await File.WriteAllTextAsync(file, text, TestContext.Current.CancellationToken);
        }

        var warm = TrustStoreWarmup.Start(file);
        await warm.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.True(warm.IsCompletedSuccessfully);
    }
}
