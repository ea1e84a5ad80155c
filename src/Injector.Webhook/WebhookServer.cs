using System.Net;
using System.Security.Authentication;
using Injector.Core;
using Injector.Webhook.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
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
    public static WebApplication Build(WebhookServerOptions options, IPodInjectorSource injectors, INamespaceAnnotations? namespaces = null)
    {
        ArgumentNullException.ThrowIfNull(injectors);
        return Build(options, _ => injectors, namespaces is null ? null : _ => namespaces);
    }

    /// <summary>
    /// Builds the server (not started) with the injector source made from its services (so it can log through the
    /// server's loggers). A <see cref="ReloadingInjectorSource"/> is polled while the server runs and disposed with it.
    /// </summary>
    /// <param name="options">How the server listens and what it bounds.</param>
    /// <param name="injectors">Makes the injector source.</param>
    /// <param name="namespaces">Makes the namespace reader (tests); null: from <paramref name="cluster"/>, when set.</param>
    /// <param name="cluster">The API server to watch namespaces and nodes in; null outside a cluster.</param>
    public static WebApplication Build(
        WebhookServerOptions options,
        Func<IServiceProvider, IPodInjectorSource> injectors,
        Func<IServiceProvider, INamespaceAnnotations>? namespaces = null,
        ClusterOptions? cluster = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(injectors);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });

        // The standard OTEL_* variables, under their own names, for the OpenTelemetry exporters (the slim builder does
        // not read unprefixed environment variables).
        builder.Configuration.AddInMemoryCollection(ServerTelemetry.EnvironmentSettings());
        if (options.Settings is { } settings)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        ServerLogging.Configure(builder.Logging, options);
        ServerTelemetry.Add(builder.Services, builder.Configuration, options);

        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownDelay + options.DrainTimeout);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(injectors);
        builder.Services.AddSingleton<ShutdownState>();
        // AddSingleton, not AddHostedService: that keeps one registration per implementation type, so the three pollers
        // would be one.
        builder.Services.AddSingleton<IHostedService>(sp => new Polling(sp.GetRequiredService<IPodInjectorSource>() as IPoller));
        builder.Services.AddHostedService<DrainOnStop>();
        builder.Services.AddHostedService<RenderMemoWatch>();
        builder.Services.AddSingleton(_ => new WebhookMetrics(options.MeterName));
        builder.Services.AddSingleton(new BodyBudget(options.MaxInFlightBodyBytes));
        if (cluster is not null)
        {
            builder.Services.AddSingleton(sp => new ClusterWatches(cluster, sp.GetRequiredService<ILoggerFactory>()));
            builder.Services.AddSingleton(sp => new EventsHolder(cluster.RecordEvents
                ? new Events.AdmissionEvents(cluster.Client, sp.GetRequiredService<ILogger<Events.AdmissionEvents>>(), sp.GetRequiredService<WebhookMetrics>(), cluster.EventFlushInterval)
                : null));
            builder.Services.AddHostedService<WatchCluster>();
        }

        // One namespace reader (and its cache) for the handler and the console.
        builder.Services.AddSingleton(sp => new NamespaceReader(
            namespaces?.Invoke(sp)
            ?? (cluster is null
                ? null
                : new ClusterNamespaceAnnotations(
                    cluster.Client,
                    sp.GetRequiredService<ILogger<ClusterNamespaceAnnotations>>(),
                    watch: sp.GetRequiredService<ClusterWatches>().Namespaces))));
        builder.Services.AddSingleton(sp => new AdmissionHandler(
            sp.GetRequiredService<IPodInjectorSource>(),
            sp.GetRequiredService<WebhookMetrics>(),
            sp.GetRequiredService<ILogger<AdmissionHandler>>(),
            sp.GetRequiredService<NamespaceReader>().Value,
            options.MemoEntries > 0 ? new AdmissionMemo(options.MemoEntries) : null));
        builder.Services.AddSingleton<Console.RecentDecisions>();
        builder.Services.AddSingleton(sp => new InjectEndpoint(
            sp.GetRequiredService<AdmissionHandler>(),
            sp.GetRequiredService<WebhookMetrics>(),
            sp.GetRequiredService<BodyBudget>(),
            options.MaxBodyBytes,
            sp.GetRequiredService<ILogger<InjectEndpoint>>(),
            options.ConsoleAddress is null ? null : sp.GetRequiredService<Console.RecentDecisions>(),
            sp.GetService<EventsHolder>()?.Value));
        builder.Services.AddSingleton(sp => new CertificateReloader(
            options.TlsCertFile,
            options.TlsKeyFile,
            options.CertificateReloadInterval,
            sp.GetRequiredService<ILogger<CertificateReloader>>()));
        builder.Services.AddSingleton<IHostedService>(sp => new Polling(sp.GetRequiredService<CertificateReloader>()));
        if (options.ClientCaFile is { } clientCa)
        {
            builder.Services.AddSingleton(sp => new ClientCaReloader(clientCa, options.CertificateReloadInterval, sp.GetRequiredService<ILogger<ClientCaReloader>>()));
            builder.Services.AddSingleton<IHostedService>(sp => new Polling(sp.GetRequiredService<ClientCaReloader>()));
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes + KestrelBodyHeadroom;
            kestrel.Limits.MaxConcurrentConnections = options.MaxConnections;
            kestrel.Limits.RequestHeadersTimeout = options.RequestHeadersTimeout;

            // A client trickling its body (slowloris) is cut off; the API server sends at LAN speed.
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 16 * 1024, gracePeriod: TimeSpan.FromSeconds(5));
            var reloader = kestrel.ApplicationServices.GetRequiredService<CertificateReloader>();
            var clientCas = options.ClientCaFile is null ? null : kestrel.ApplicationServices.GetRequiredService<ClientCaReloader>();
            void Https(ListenOptions listen) => listen.UseHttps(https =>
            {
                https.SslProtocols = Protocols;
                https.ServerCertificateSelector = (_, _) => reloader.Current;
                https.HandshakeTimeout = options.RequestHeadersTimeout;
                if (clientCas is not null)
                {
                    https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                    https.ClientCertificateValidation = clientCas.Validate;
                }
            });

            Listen(kestrel, options.Address, options.Port, Https);
            if (options.HealthPort is { } healthPort)
            {
                Listen(kestrel, options.Address, healthPort, _ => { });
            }

            if (options.ConsoleAddress is { } consoleAddress)
            {
                Listen(kestrel, consoleAddress, options.ConsolePort, _ => { });
            }
        });

        var app = builder.Build();

        // The meter provider listens before the instruments are made, so Istio's counters are exported from zero.
        _ = app.Services.GetRequiredService<OpenTelemetry.Metrics.MeterProvider>();

        // Load the certificates now so the first handshake has them; a failure is logged and /readyz stays 503 until the poller loads one.
        app.Services.GetRequiredService<CertificateReloader>().TryReload();
        app.Services.GetService<ClientCaReloader>()?.TryReload();

        var separateHealth = options.HealthPort is not null;
        var consolePorts = new ConsolePorts();
        app.Use(async (context, next) =>
        {
            // The console's API is served on its own listener only, and that listener serves nothing else.
            var onConsole = options.ConsoleAddress is not null && consolePorts.IsConsole(context, app);
            var consolePath = context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/console") || context.Request.Path == "/";
            if (onConsole != consolePath)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            if (onConsole)
            {
                // DNS rebinding: a page that rebinds its own name to 127.0.0.1 sends its name as Host; only the
                // console's own address or a loopback name (kubectl port-forward) may read the console.
                if (!ConsoleHostAllowed(context.Request.Host.Host, options.ConsoleAddress!))
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return;
                }

                await next(context).ConfigureAwait(false);
                return;
            }

            // With a health port, /inject is served only over TLS and health and metrics only in plain HTTP.
            var health = context.Request.Path.StartsWithSegments("/healthz") || context.Request.Path.StartsWithSegments("/readyz")
                || context.Request.Path.StartsWithSegments("/metrics");
            if (separateHealth && health == context.Request.IsHttps)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await next(context).ConfigureAwait(false);
        });

        var endpoint = app.Services.GetRequiredService<InjectEndpoint>();
        app.MapPost("/inject", endpoint.ServeAsync);
        app.MapPost("/inject/{**rest}", endpoint.ServeAsync);
        // Request delegates, not minimal-API lambdas with bound parameters: those are bound by reflection at start,
        // which Native AOT cannot do.
        app.MapGet("/healthz", context => Results.Text("ok").ExecuteAsync(context));
        var watches = app.Services.GetService<ClusterWatches>();
        var certificates = app.Services.GetRequiredService<CertificateReloader>();
        var shutdown = app.Services.GetRequiredService<ShutdownState>();
        var source = app.Services.GetRequiredService<IPodInjectorSource>();
        app.MapGet("/readyz", context =>
            ((Ready(certificates, source, shutdown) ?? watches?.NotReady) is { } notReady
                ? Results.Text(notReady, statusCode: StatusCodes.Status503ServiceUnavailable)
                : Results.Text("ok")).ExecuteAsync(context));
        app.MapPrometheusScrapingEndpoint("/metrics");
        var namespaceLabels = app.Services.GetRequiredService<NamespaceReader>().Value as INamespaceLabels;
        app.MapPost("/api/v1/explain", context => Console.ConsoleApi.ExplainAsync(context, source, options, namespaceLabels));
        app.MapPost("/api/v1/inject", context => Console.ConsoleApi.InjectAsync(context, source));
        app.MapPost("/api/v1/annotate", Console.ConsoleApi.AnnotateAsync);
        app.MapGet("/", context => Console.ConsoleAssets.ServeAsync(context, "index.html"));
        app.MapGet("/console/{file}", context => Console.ConsoleAssets.ServeAsync(context, context.Request.RouteValues["file"] as string ?? ""));
        app.MapGet("/api/v1/config", context => Console.ConsoleApi.ConfigAsync(context, source, certificates));
        var decisions = app.Services.GetRequiredService<Console.RecentDecisions>();
        app.MapGet("/api/v1/decisions", context => Results.Text(decisions.ToJson().ToJsonString(Console.ManifestExplainer.Indented), "application/json; charset=utf-8").ExecuteAsync(context));
        return app;
    }

    private static void Listen(KestrelServerOptions kestrel, string address, int port, Action<ListenOptions> configure)
    {
        if (string.Equals(address, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(port, configure);
        }
        else if (IPAddress.TryParse(address, out var ip))
        {
            kestrel.Listen(ip, port, configure);
        }
        else
        {
            throw new ArgumentException($"listen address \"{address}\" is neither an IP address nor localhost", nameof(address));
        }
    }

    /// <summary>Builds and runs the server until <paramref name="ct"/> is cancelled (or the host is told to stop).</summary>
    public static Task RunAsync(WebhookServerOptions options, IPodInjectorSource injectors, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(injectors);
        return RunAsync(options, _ => injectors, ct);
    }

    /// <summary>Builds and runs the server until <paramref name="ct"/> is cancelled (or the host is told to stop).</summary>
    public static async Task RunAsync(
        WebhookServerOptions options,
        Func<IServiceProvider, IPodInjectorSource> injectors,
        CancellationToken ct,
        Func<IServiceProvider, INamespaceAnnotations>? namespaces = null,
        ClusterOptions? cluster = null)
    {
        var app = Build(options, injectors, namespaces, cluster);
        await using (app.ConfigureAwait(false))
        {
            await app.StartAsync(ct).ConfigureAwait(false);
            await app.WaitForShutdownAsync(ct).ConfigureAwait(false);
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>The TLS port a started server listens on (useful with <see cref="WebhookServerOptions.Port"/> 0).</summary>
    public static int GetPort(WebApplication app) => Ports(app, "https").FirstOrDefault(-1) is var port and >= 0
        ? port
        : throw new InvalidOperationException("the server is not listening");

    private static bool ConsoleHostAllowed(string host, string consoleAddress) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || string.Equals(host, consoleAddress, StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>The namespace reader the factory made (null outside a cluster), shared by the handler and the console.</summary>
    private sealed record NamespaceReader(INamespaceAnnotations? Value);

    /// <summary>The console's port a started server listens on (<see cref="WebhookServerOptions.ConsoleAddress"/>).</summary>
    public static int GetConsolePort(WebApplication app) => new ConsolePorts().Port(app)
        ?? throw new InvalidOperationException("the server has no console");

    /// <summary>Which listener a request came in on: the console's port is the last plain-HTTP one.</summary>
    private sealed class ConsolePorts
    {
        private int? _port;

        public int? Port(WebApplication app)
        {
            if (_port is null)
            {
                // Kestrel lists its addresses in the order they were added: the health listener, then the console's.
                var options = app.Services.GetRequiredService<WebhookServerOptions>();
                _port = options.ConsolePort != 0 ? options.ConsolePort : Ports(app, "http").Cast<int?>().LastOrDefault();
            }

            return _port;
        }

        public bool IsConsole(HttpContext context, WebApplication app) => !context.Request.IsHttps && context.Connection.LocalPort == Port(app);
    }

    /// <summary>The plain-HTTP health port a started server listens on (<see cref="WebhookServerOptions.HealthPort"/>).</summary>
    public static int GetHealthPort(WebApplication app) => Ports(app, "http").FirstOrDefault(-1) is var port and >= 0
        ? port
        : throw new InvalidOperationException("the server has no health port");

    private static IEnumerable<int> Ports(WebApplication app, string scheme)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
        {
            var uri = new Uri(address.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal));
            if (uri.Scheme == scheme)
            {
                yield return uri.Port;
            }
        }
    }

    private static string? Ready(CertificateReloader certificates, IPodInjectorSource injectors, ShutdownState shutdown)
    {
        if (shutdown.Draining)
        {
            return "shutting down";
        }

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

    /// <summary>
    /// On stop, before the server stops listening: <c>/readyz</c> fails, and the server serves on for
    /// <see cref="WebhookServerOptions.ShutdownDelay"/> while the endpoints controller and kube-proxy take the pod out.
    /// </summary>
    private sealed class DrainOnStop(ShutdownState state, WebhookServerOptions options) : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StoppingAsync(CancellationToken cancellationToken)
        {
            state.Draining = true;
            if (options.ShutdownDelay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(options.ShutdownDelay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The host's shutdown timeout ran out first; stop now.
                }
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>
    /// Starts the cluster watches with the host and stops them with it; a change of the nodes' native-sidecar support
    /// rebuilds the injector (a <see cref="ReloadingInjectorSource"/>) with native sidecars on or off.
    /// </summary>
    private sealed class WatchCluster(ClusterWatches watches, EventsHolder events, IPodInjectorSource source) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (source is ReloadingInjectorSource reloading)
            {
                watches.NativeSidecarsChanged += native => reloading.SetNativeSidecars(native);
            }

            watches.Start();
            events.Value?.Start();
            return Task.CompletedTask;
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            await watches.DisposeAsync().ConfigureAwait(false);
            if (events.Value is { } recorder)
            {
                // The Events gathered so far are written before the process ends.
                await recorder.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The Event recorder, when the server records Events (registered only in a cluster).</summary>
    private sealed record EventsHolder(Events.AdmissionEvents? Value);

    /// <summary>Starts and stops a poller (configuration, certificate, client CA) with the host; none for a fixed injector source.</summary>
    private sealed class Polling(IPoller? poller) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            poller?.Start();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            poller?.Stop();
            return Task.CompletedTask;
        }
    }
}
