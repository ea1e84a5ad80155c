using Injector.Core;
using Injector.Testing;
using Injector.Webhook;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Injector.Conformance.Tests;

/// <summary>The real webhook server over real TLS on 127.0.0.1, whose injector each case swaps in.</summary>
public sealed class WebhookServerFixture : IAsyncLifetime, IPodInjectorSource
{
    private readonly TestCertificates _certs = new();
    private WebApplication? _app;
    private volatile IPodInjector? _current;

    public IPodInjector Current => _current ?? throw new InvalidOperationException("no injector set for this case");

    public HttpClient Client { get; private set; } = null!;

    public void Use(IPodInjector injector) => _current = injector;

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
