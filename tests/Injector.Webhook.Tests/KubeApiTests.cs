using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Injector.Webhook.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook.Tests;

/// <summary>
/// The API client in a cluster: the service account's token on every call (read again after it rotates), the API
/// server trusted through the service account's CA only, and nothing at all outside a cluster. The calls themselves
/// are proven against the fake API server by the cluster, watch and Event tests.
/// </summary>
public sealed class KubeApiTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kubeapi-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task In_a_cluster_every_call_carries_the_current_token_and_trusts_the_clusters_CA()
    {
        using var ca = new TestCa();
        await using var server = await ApiServer.StartAsync(ca);
        File.WriteAllText(Path.Combine(_directory, "ca.crt"), ca.CertificatePem);
        File.WriteAllText(Path.Combine(_directory, "token"), "first-token\n");

        using var api = KubeApi.InCluster(_directory, "127.0.0.1", $"{server.Port}", tokenRefresh: TimeSpan.Zero)!;
        var ns = await api.GetAsync("/api/v1/namespaces/shop", Ct);
        Assert.Equal("shop", ns["metadata"]!["name"]!.GetValue<string>());

        // The kubelet rewrote the token (a bound token rotates): the next call sends the new one.
        File.WriteAllText(Path.Combine(_directory, "token"), "second-token");
        await api.GetAsync("/api/v1/namespaces/shop", Ct);
        Assert.Equal(["Bearer first-token", "Bearer second-token"], server.Authorizations);

        var refused = await Assert.ThrowsAsync<KubeApiException>(() => api.GetAsync("/api/v1/namespaces/missing", Ct));
        Assert.Equal((404, "NotFound"), (refused.StatusCode, refused.Reason));
        Assert.Contains("namespaces \"missing\" not found", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_API_server_whose_certificate_another_CA_signed_is_refused()
    {
        using var ca = new TestCa();
        using var other = new TestCa();
        await using var server = await ApiServer.StartAsync(ca);
        File.WriteAllText(Path.Combine(_directory, "ca.crt"), other.CertificatePem);
        File.WriteAllText(Path.Combine(_directory, "token"), "t");

        using var api = KubeApi.InCluster(_directory, "127.0.0.1", $"{server.Port}", TimeSpan.FromMinutes(1))!;
        await Assert.ThrowsAsync<HttpRequestException>(() => api.GetAsync("/api/v1/namespaces/shop", Ct));
        Assert.Empty(server.Authorizations);
    }

    [Fact]
    public async Task An_API_server_certificate_under_an_intermediate_CA_is_trusted_through_the_chain_it_presents()
    {
        // ca.crt holds the root only; the API server presents its certificate and the intermediate that signed it.
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var root = Authority("CN=cluster root", rootKey, issuer: null, issuerKey: null);
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var intermediate = Authority("CN=cluster intermediate", intermediateKey, root, rootKey);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=kubernetes", leafKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(san.Build());
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        leafRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(intermediate, true, false));
        using var issued = leafRequest.Create(intermediate, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), [1, 2, 3, 4]);
        using var leaf = X509Certificate2.CreateFromPem(issued.ExportCertificatePem(), leafKey.ExportPkcs8PrivateKeyPem());

        await using var server = await ApiServer.StartAsync(leaf, [X509CertificateLoader.LoadCertificate(intermediate.RawData)]);
        File.WriteAllText(Path.Combine(_directory, "ca.crt"), root.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_directory, "token"), "t");

        using var api = KubeApi.InCluster(_directory, "127.0.0.1", $"{server.Port}", TimeSpan.FromMinutes(1))!;
        var ns = await api.GetAsync("/api/v1/namespaces/shop", Ct);
        Assert.Equal("shop", ns["metadata"]!["name"]!.GetValue<string>());
    }

    private static X509Certificate2 Authority(string subject, ECDsa key, X509Certificate2? issuer, ECDsa? issuerKey)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (issuer is null || issuerKey is null)
        {
            return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using var signed = request.Create(issuer, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2), [5, 6, 7, 8]);
        return signed.CopyWithPrivateKey(key);
    }

    [Fact]
    public void Outside_a_cluster_there_is_no_client()
    {
        Assert.Null(KubeApi.InCluster(_directory, "127.0.0.1", "443", TimeSpan.FromMinutes(1)));
        File.WriteAllText(Path.Combine(_directory, "token"), "t");
        File.WriteAllText(Path.Combine(_directory, "ca.crt"), "");
        Assert.Null(KubeApi.InCluster(_directory, null, null, TimeSpan.FromMinutes(1)));
    }

    /// <summary>An HTTPS API server on 127.0.0.1 with a certificate from the given CA: one namespace, and 404 for the rest.</summary>
    private sealed class ApiServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly X509Certificate2 _certificate;

        private ApiServer(WebApplication app, X509Certificate2 certificate)
        {
            _app = app;
            _certificate = certificate;
        }

        public List<string> Authorizations { get; } = [];

        public int Port => new Uri(_app.Urls.First()).Port;

        public static Task<ApiServer> StartAsync(TestCa ca)
        {
            var (certPem, keyPem, issued) = ca.Issue("kubernetes");
            issued.Dispose();
            return StartAsync(X509Certificate2.CreateFromPem(certPem, keyPem), []);
        }

        /// <summary>Serves with this certificate (owned by the server from now on) and sends these intermediates with it.</summary>
        public static async Task<ApiServer> StartAsync(X509Certificate2 served, X509Certificate2Collection intermediates)
        {
            var certificate = X509CertificateLoader.LoadPkcs12(served.Export(X509ContentType.Pkcs12), null);
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions
            {
                ServerCertificate = certificate,
                ServerCertificateChain = intermediates,
            })));
            var server = new ApiServer(builder.Build(), certificate);
            server._app.MapGet("/api/v1/namespaces/{name}", (HttpContext context, string name) =>
            {
                lock (server.Authorizations)
                {
                    server.Authorizations.Add(context.Request.Headers.Authorization.ToString());
                }

                return name == "shop"
                    ? Results.Text(new JsonObject { ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } }.ToJsonString(), "application/json")
                    : Results.Text($$"""{"kind":"Status","status":"Failure","message":"namespaces \"{{name}}\" not found","reason":"NotFound","code":404}""", "application/json", statusCode: 404);
            });
            await server._app.StartAsync();
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _certificate.Dispose();
        }
    }
}
