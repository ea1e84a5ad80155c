using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace Injector.Webhook.Tests;

/// <summary>The committed example review and the certificate script work with the server.</summary>
public sealed class RepositoryFilesTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Example_review_is_injected()
    {
        var body = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "examples", "admission-review.json"), Ct);

        using var response = await fixture.Client.PostAsync("/inject", Reviews.Json(body), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var review = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(AdmissionReview.V1, review["apiVersion"]!.GetValue<string>());
        Assert.Equal("705ab4f5-6393-11e8-b7cc-42010a800002", review["response"]!["uid"]!.GetValue<string>());
        Assert.True(review["response"]!["allowed"]!.GetValue<bool>());
        Assert.Equal("JSONPatch", review["response"]!["patchType"]!.GetValue<string>());
    }

    [Fact]
    public async Task Mint_script_output_loads_as_a_serving_certificate()
    {
        var script = Path.Combine(RepositoryRoot(), "certs", "mint.sh");
        var target = Directory.CreateTempSubdirectory("injector-mint-").FullName;
        try
        {
            using var mint = Process.Start(new ProcessStartInfo("bash", [script, target])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (mint is null)
            {
                Assert.Skip("bash is not available");
            }

            var stderr = mint.StandardError.ReadToEndAsync(Ct);
            await mint.StandardOutput.ReadToEndAsync(Ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            await mint.WaitForExitAsync(timeout.Token);
            if (mint.ExitCode == 127)
            {
                Assert.Skip("openssl is not available");
            }

            Assert.True(mint.ExitCode == 0, await stderr);

            using var certificate = CertificateReloader.Load(
                File.ReadAllBytes(Path.Combine(target, "tls.crt")), File.ReadAllBytes(Path.Combine(target, "tls.key")));
            Assert.True(certificate.HasPrivateKey);
            Assert.True(certificate.MatchesHostname("injector.injector-system.svc"));
            Assert.True(certificate.MatchesHostname("injector.injector-system.svc.cluster.local"));
            Assert.True(certificate.MatchesHostname("127.0.0.1"));
            Assert.False(certificate.MatchesHostname("example.com"));
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "examples")) && Directory.Exists(Path.Combine(dir.FullName, "certs")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("repository root (with examples/ and certs/) not found above " + AppContext.BaseDirectory);
    }
}
