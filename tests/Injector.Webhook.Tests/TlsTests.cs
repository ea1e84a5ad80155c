using System.Diagnostics;
using System.Net;
using System.Security.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook.Tests;

public sealed class TlsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Only_TLS_1_2_and_1_3_are_configured() =>
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, WebhookServer.Protocols);

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task TLS_1_2_and_1_3_clients_are_served(SslProtocols protocol)
    {
        await using var server = await RunningServer.StartAsync(new FakeInjector());
        using var client = server.Client(protocol);

        using var response = await client.GetAsync("/healthz", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task TLS_1_1_is_refused()
    {
#pragma warning disable SYSLIB0039 // TLS 1.1 is exactly what is being refused.
        const SslProtocols tls11 = SslProtocols.Tls11;
#pragma warning restore SYSLIB0039
        await using var server = await RunningServer.StartAsync(new FakeInjector());
        using var client = server.Client(tls11);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/healthz", Ct));
    }

    [Fact]
    public async Task Plain_HTTP_is_not_served()
    {
        await using var server = await RunningServer.StartAsync(new FakeInjector());
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        var failed = false;
        try
        {
            using var response = await client.GetAsync($"http://127.0.0.1:{server.Port}/healthz", Ct);
            failed = response.StatusCode != HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            failed = true;
        }

        Assert.True(failed);
    }

    [Fact]
    public async Task Rotation_under_load_has_no_failed_requests_and_new_connections_get_the_new_certificate()
    {
        await using var server = await RunningServer.StartAsync(new FakeInjector(), TimeSpan.FromMilliseconds(100));
        var (certPem, keyPem, certB) = server.Ca.Issue("injector-b");
        using var _ = certB;
        var thumbprintA = server.InitialCertificate.Thumbprint;
        var seen = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var keepAlive = server.Client(seen: seen.Add);

        var failures = new List<string>();
        var requests = 0;
        var rotatedAt = -1;
        var clock = Stopwatch.StartNew();
        while (requests < 200 && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (requests == 20)
            {
                server.Volume.Publish(certPem, keyPem);
                rotatedAt = requests;
            }

            // Every fifth request opens a new connection (a new handshake); the rest reuse the kept-alive one.
            using var fresh = requests % 5 == 0 ? server.Client(seen: seen.Add) : null;
            try
            {
                using var response = await (fresh ?? keepAlive).PostAsync(
                    "/inject", Reviews.Json(Reviews.Pod(uid: $"r{requests}")), Ct);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Add($"{requests}: {response.StatusCode}");
                }
            }
            catch (HttpRequestException e)
            {
                failures.Add($"{requests}: {e.Message}");
            }

            requests++;
            if (rotatedAt >= 0 && requests > 60 && seen.Contains(certB.Thumbprint))
            {
                break;
            }

            await Task.Delay(10, Ct);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{requests} requests in {clock.ElapsedMilliseconds} ms, rotated after {rotatedAt}, saw {seen.Distinct().Count()} certificates");
        Assert.Empty(failures);
        Assert.Contains(thumbprintA, seen);
        Assert.Contains(certB.Thumbprint, seen);

        // New connections after the swap see certificate B.
        var newest = await NewConnectionThumbprint(server, until: certB.Thumbprint);
        Assert.Equal(certB.Thumbprint, newest);
        Assert.Equal(certB.Thumbprint, server.App.Services.GetRequiredService<CertificateReloader>().Current!.Thumbprint);
        Assert.Equal(certB.SerialNumber, server.App.Services.GetRequiredService<CertificateReloader>().Current!.SerialNumber);
    }

    [Fact]
    public async Task A_bad_new_pair_keeps_the_previous_certificate()
    {
        await using var server = await RunningServer.StartAsync(new FakeInjector(), TimeSpan.FromMilliseconds(100));
        var reloader = server.App.Services.GetRequiredService<CertificateReloader>();
        var (certPemB, _, certB) = server.Ca.Issue("injector-b");
        var (_, keyPemC, certC) = server.Ca.Issue("injector-c");
        using var b = certB;
        using var c = certC;

        // Mismatched key, then a half-written certificate, then garbage.
        server.Volume.Publish(certPemB, keyPemC);
        Assert.False(reloader.TryReload());
        server.Volume.Publish(certPemB[..(certPemB.Length / 2)], keyPemC);
        Assert.False(reloader.TryReload());
        server.Volume.Publish("not a certificate", "not a key");
        Assert.False(reloader.TryReload());
        await Task.Delay(300, Ct);

        Assert.Equal(server.InitialCertificate.Thumbprint, reloader.Current!.Thumbprint);
        Assert.Equal(server.InitialCertificate.Thumbprint, await NewConnectionThumbprint(server));
        using var client = server.Client();
        using var ready = await client.GetAsync("/readyz", Ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Server_starts_without_a_certificate_and_serves_once_one_appears()
    {
        using var ca = new TestCa();
        using var volume = new SecretVolume();
        var options = new WebhookServerOptions
        {
            Address = "127.0.0.1",
            Port = 0,
            TlsCertFile = volume.CertFile,
            TlsKeyFile = volume.KeyFile,
            CertificateReloadInterval = TimeSpan.FromMilliseconds(100),
            ConfigureLogging = logging => logging.ClearProviders(),
        };
        await using var app = WebhookServer.Build(options, new FakeInjector());
        await app.StartAsync(Ct);
        var reloader = app.Services.GetRequiredService<CertificateReloader>();
        Assert.Null(reloader.Current);

        var (certPem, keyPem, certificate) = ca.Issue("late");
        using var _ = certificate;
        volume.Publish(certPem, keyPem);
        var clock = Stopwatch.StartNew();
        while (reloader.Current is null && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50, Ct);
        }

        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, errors) =>
            ca.Validate(cert is null ? null : System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(cert.GetRawCertData()), errors);
        using var client = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{WebhookServer.GetPort(app)}/") };
        using var ready = await client.GetAsync("/readyz", Ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        await app.StopAsync(Ct);
    }

    /// <summary>The thumbprint a brand-new connection is shown; polls (bounded) until it equals <paramref name="until"/> when given.</summary>
    private static async Task<string?> NewConnectionThumbprint(RunningServer server, string? until = null)
    {
        string? last = null;
        var clock = Stopwatch.StartNew();
        do
        {
            using var client = server.Client(seen: t => last = t);
            using var response = await client.GetAsync("/healthz", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            if (until is null || last == until)
            {
                return last;
            }

            await Task.Delay(100, Ct);
        }
        while (clock.Elapsed < TimeSpan.FromSeconds(10));

        return last;
    }
}
