using Injector.Core;
using Injector.Webhook;
using Injector.Webhook.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Injector.Conformance.Tests;

/// <summary>The real webhook server over real TLS on 127.0.0.1, whose injector each case swaps in.</summary>
public sealed class WebhookServerFixture : IAsyncLifetime, IPodInjectorSource, INamespaceAnnotations
{
    private readonly TestCertificates _certs = new();
    private WebApplication? _app;
    private volatile IPodInjector? _current;

    public IPodInjector Current => _current ?? throw new InvalidOperationException("no injector set for this case");

    public HttpClient Client { get; private set; } = null!;

    private volatile IReadOnlyDictionary<string, string>? _namespaceAnnotations;

    /// <summary>The injector for the next case, and the annotations every namespace has (the corpus's OpenShift ranges).</summary>
    public void Use(IPodInjector injector, IReadOnlyDictionary<string, string>? namespaceAnnotations = null)
    {
        _current = injector;
        _namespaceAnnotations = namespaceAnnotations;
    }

    public ValueTask<IReadOnlyDictionary<string, string>?> GetAsync(string @namespace, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_namespaceAnnotations);

    public async ValueTask InitializeAsync()
    {
        _app = WebhookServer.Build(
            new WebhookServerOptions
            {
                Address = "127.0.0.1",
                Port = 0,
                TlsCertFile = _certs.CertFile,
                TlsKeyFile = _certs.KeyFile,
                ConfigureLogging = logging => logging.ClearProviders(),
            },
            this,
            this);
        await _app.StartAsync();
        Client = _certs.CreateClient(WebhookServer.GetPort(_app));
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _certs.Dispose();
    }
}
