using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook.Tests;

public sealed class RunAsyncTests
{
    [Fact]
    public async Task RunAsync_serves_until_cancelled()
    {
        // RunAsync binds the port it is given, so the test picks a free one first; another process can take it in
        // between, and then the server fails to bind: that attempt is retried on a new port, nothing else is.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ServeUntilCancelledAsync();
                return;
            }
            catch (IOException e) when (attempt < 5 && e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
            }
        }
    }

    private static async Task ServeUntilCancelledAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        using var ca = new TestCa();
        using var volume = new SecretVolume();
        var (certPem, keyPem, certificate) = ca.Issue("run");
        using var _ = certificate;
        volume.Publish(certPem, keyPem);
        var options = new WebhookServerOptions
        {
            Address = "127.0.0.1",
            Port = FreePort(),
            TlsCertFile = volume.CertFile,
            TlsKeyFile = volume.KeyFile,
            ConfigureLogging = logging => logging.ClearProviders(),
        };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);

        var run = WebhookServer.RunAsync(options, new FakeInjector(), stop.Token);

        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, errors) =>
            ca.Validate(cert is null ? null : System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(cert.GetRawCertData()), errors);
        using var client = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{options.Port}/"), Timeout = TimeSpan.FromSeconds(5) };
        var status = HttpStatusCode.ServiceUnavailable;
        var clock = Stopwatch.StartNew();
        while (status != HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(15) && !run.IsCompleted)
        {
            try
            {
                using var response = await client.GetAsync("/readyz", ct);
                status = response.StatusCode;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(50, ct);
            }
        }

        if (run.IsFaulted)
        {
            await run;
        }

        Assert.Equal(HttpStatusCode.OK, status);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(15), ct);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
