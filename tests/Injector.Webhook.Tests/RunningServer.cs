using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Injector.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook.Tests;

/// <summary>The real server on 127.0.0.1 and an ephemeral port, with a test CA's certificate in a Secret-like volume.</summary>
internal sealed class RunningServer : IAsyncDisposable
{
    private RunningServer(WebApplication app, TestCa ca, SecretVolume volume, X509Certificate2 initial)
    {
        App = app;
        Ca = ca;
        Volume = volume;
        InitialCertificate = initial;
        Port = WebhookServer.GetPort(app);
    }

    public WebApplication App { get; }

    public TestCa Ca { get; }

    public SecretVolume Volume { get; }

    public X509Certificate2 InitialCertificate { get; }

    public int Port { get; }

    public Uri BaseAddress => new($"https://127.0.0.1:{Port}/");

    /// <summary>The plain-HTTP health port, when the options set one.</summary>
    public int HealthPort => WebhookServer.GetHealthPort(App);

    public static Task<RunningServer> StartAsync(
        IPodInjectorSource injectors,
        TimeSpan? reloadInterval = null,
        Func<WebhookServerOptions, WebhookServerOptions>? configure = null) =>
        StartAsync(_ => injectors, reloadInterval, configure: configure);

    /// <summary>Starts with the injector source made from the server's services; <paramref name="logging"/> adds providers (none by default).</summary>
    public static async Task<RunningServer> StartAsync(
        Func<IServiceProvider, IPodInjectorSource> injectors,
        TimeSpan? reloadInterval = null,
        ILoggerProvider? logging = null,
        Func<WebhookServerOptions, WebhookServerOptions>? configure = null,
        Func<IServiceProvider, Cluster.INamespaceAnnotations>? namespaces = null,
        Cluster.ClusterOptions? cluster = null)
    {
        var ca = new TestCa();
        var volume = new SecretVolume();
        var (certPem, keyPem, certificate) = ca.Issue("injector-a");
        volume.Publish(certPem, keyPem);
        var options = new WebhookServerOptions
        {
            Address = "127.0.0.1",
            Port = 0,
            TlsCertFile = volume.CertFile,
            TlsKeyFile = volume.KeyFile,
            CertificateReloadInterval = reloadInterval ?? TimeSpan.FromSeconds(5),

            // Its own meter: servers of parallel tests share the process, and a meter's listeners are process-wide.
            MeterName = $"Injector.Webhook.Test.{Guid.NewGuid():N}",
            ConfigureLogging = builder =>
            {
                builder.ClearProviders();
                if (logging is not null)
                {
                    builder.AddProvider(logging);
                }
            },
        };
        var app = WebhookServer.Build(configure?.Invoke(options) ?? options, injectors, namespaces, cluster);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new RunningServer(app, ca, volume, certificate);
    }

    /// <summary>A client that trusts only the test CA; <paramref name="seen"/> receives each server certificate's thumbprint.</summary>
    public HttpClient Client(SslProtocols protocols = SslProtocols.None, Action<string>? seen = null, X509Certificate2? clientCertificate = null)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }

        handler.SslOptions.EnabledSslProtocols = protocols;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            using var presented = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            var ok = Ca.Validate(presented, errors);
            if (ok && presented is not null)
            {
                seen?.Invoke(presented.Thumbprint);
            }

            return ok;
        };
        return new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(15) };
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
        Volume.Dispose();
        Ca.Dispose();
        InitialCertificate.Dispose();
    }
}

/// <summary>One server shared by the contract tests.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private RunningServer? _server;

    internal RunningServer Server => _server ?? throw new InvalidOperationException("not started");

    internal HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await RunningServer.StartAsync(new FakeInjector());
        Client = _server.Client();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

internal static class Reviews
{
    /// <summary>An AdmissionReview for a pod; <paramref name="mode"/> drives <see cref="FakeInjector"/>.</summary>
    public static string Pod(string apiVersion = AdmissionReview.V1, string uid = "3a2c1f6e-0001", string? mode = null)
    {
        var labels = new JsonObject { ["app"] = "hello" };
        if (mode is not null)
        {
            labels[FakeInjector.ModeLabel] = mode;
        }

        var review = new JsonObject
        {
            ["apiVersion"] = apiVersion,
            ["kind"] = "AdmissionReview",
            ["request"] = new JsonObject
            {
                ["uid"] = uid,
                ["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
                ["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
                ["namespace"] = "default",
                ["operation"] = "CREATE",
                ["userInfo"] = new JsonObject { ["username"] = "system:serviceaccount:kube-system:replicaset-controller" },
                ["object"] = new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Pod",
                    ["metadata"] = new JsonObject { ["generateName"] = "hello-", ["labels"] = labels },
                    ["spec"] = new JsonObject
                    {
                        ["containers"] = new JsonArray(
                            new JsonObject { ["name"] = "hello", ["image"] = "fake.docker.io/google-samples/hello-go-gke:1.0" }),
                    },
                },
                ["dryRun"] = false,
            },
        };
        return review.ToJsonString();
    }

    public static HttpContent Json(string body, string contentType = "application/json")
    {
        var content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

}
