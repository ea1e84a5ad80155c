using System.Net;
using System.Security.Authentication;
using Injector.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook;

/// <summary>The HTTPS admission webhook server: <c>/inject</c>, <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>.</summary>
public static class WebhookServer
{
    /// <summary>The only TLS versions offered.</summary>
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>Kestrel's own body limit sits this far above <see cref="WebhookServerOptions.MaxBodyBytes"/> so the handler answers first, with Istio's message.</summary>
    internal const long KestrelBodyHeadroom = 1024 * 1024;

    /// <summary>Builds the server (not started). Dispose it, or run it with <see cref="RunAsync(WebhookServerOptions, IPodInjectorSource, CancellationToken)"/>.</summary>
    public static WebApplication Build(WebhookServerOptions options, IPodInjectorSource injectors)
    {
        ArgumentNullException.ThrowIfNull(injectors);
        return Build(options, _ => injectors);
    }

    /// <summary>
    /// Builds the server (not started) with the injector source made from its services (so it can log through the
    /// server's loggers). A <see cref="ReloadingInjectorSource"/> is polled while the server runs and disposed with it.
    /// </summary>
    public static WebApplication Build(WebhookServerOptions options, Func<IServiceProvider, IPodInjectorSource> injectors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(injectors);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });

        // ASP.NET Core logs every request at Information; the webhook logs its own line per review.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        if (options.ConfigureLogging is { } configureLogging)
        {
            configureLogging(builder.Logging);
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(injectors);
        builder.Services.AddHostedService<ConfigPolling>();
        builder.Services.AddSingleton<WebhookMetrics>();
        builder.Services.AddSingleton<AdmissionHandler>();
        builder.Services.AddSingleton(sp => new InjectEndpoint(
            sp.GetRequiredService<AdmissionHandler>(),
            sp.GetRequiredService<WebhookMetrics>(),
            options.MaxBodyBytes,
            sp.GetRequiredService<ILogger<InjectEndpoint>>()));
        builder.Services.AddSingleton(sp => new CertificateReloader(
            options.TlsCertFile,
            options.TlsKeyFile,
            options.CertificateReloadInterval,
            sp.GetRequiredService<ILogger<CertificateReloader>>()));
        builder.Services.AddHostedService<CertificatePolling>();

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes + KestrelBodyHeadroom;
            var reloader = kestrel.ApplicationServices.GetRequiredService<CertificateReloader>();
            void Https(ListenOptions listen) => listen.UseHttps(https =>
            {
                https.SslProtocols = Protocols;
                https.ServerCertificateSelector = (_, _) => reloader.Current;
            });

            if (string.Equals(options.Address, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                kestrel.ListenLocalhost(options.Port, Https);
            }
            else if (IPAddress.TryParse(options.Address, out var address))
            {
                kestrel.Listen(address, options.Port, Https);
            }
            else
            {
                throw new ArgumentException($"listen address \"{options.Address}\" is neither an IP address nor localhost", nameof(options));
            }
        });

        var app = builder.Build();

        // Load the certificate now so the first handshake has one; a failure is logged and /readyz stays 503 until the poller loads one.
        app.Services.GetRequiredService<CertificateReloader>().TryReload();

        var endpoint = app.Services.GetRequiredService<InjectEndpoint>();
        app.MapPost("/inject", endpoint.ServeAsync);
        app.MapPost("/inject/{**rest}", endpoint.ServeAsync);
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", (CertificateReloader certificates, IPodInjectorSource source) =>
            Ready(certificates, source) is { } notReady
                ? Results.Text(notReady, statusCode: StatusCodes.Status503ServiceUnavailable)
                : Results.Text("ok"));
        app.MapGet("/metrics", (WebhookMetrics metrics) =>
            Results.Text(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8"));
        return app;
    }

    /// <summary>Builds and runs the server until <paramref name="ct"/> is cancelled (or the host is told to stop).</summary>
    public static Task RunAsync(WebhookServerOptions options, IPodInjectorSource injectors, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(injectors);
        return RunAsync(options, _ => injectors, ct);
    }

    /// <summary>Builds and runs the server until <paramref name="ct"/> is cancelled (or the host is told to stop).</summary>
    public static async Task RunAsync(WebhookServerOptions options, Func<IServiceProvider, IPodInjectorSource> injectors, CancellationToken ct)
    {
        var app = Build(options, injectors);
        await using (app.ConfigureAwait(false))
        {
            await app.StartAsync(ct).ConfigureAwait(false);
            await app.WaitForShutdownAsync(ct).ConfigureAwait(false);
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>The port a started server listens on (useful with <see cref="WebhookServerOptions.Port"/> 0).</summary>
    public static int GetPort(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
        {
            return new Uri(address.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal)).Port;
        }

        throw new InvalidOperationException("the server is not listening");
    }

    private static string? Ready(CertificateReloader certificates, IPodInjectorSource injectors)
    {
        if (certificates.Current is null)
        {
            return "no serving certificate loaded";
        }

        try
        {
            return injectors.Current is null ? "no injector available" : null;
        }
#pragma warning disable CA1031 // Readiness reports any failure of the source as "not ready".
        catch (Exception e)
#pragma warning restore CA1031
        {
            return $"injector unavailable: {e.Message}";
        }
    }

    /// <summary>Starts and stops the configuration poller with the host, when the source reloads.</summary>
    private sealed class ConfigPolling(IPodInjectorSource injectors) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            (injectors as ReloadingInjectorSource)?.Start();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            (injectors as ReloadingInjectorSource)?.Stop();
            return Task.CompletedTask;
        }
    }

    /// <summary>Starts and stops the certificate poller with the host.</summary>
    private sealed class CertificatePolling(CertificateReloader reloader) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            reloader.Start();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            reloader.Stop();
            return Task.CompletedTask;
        }
    }
}
