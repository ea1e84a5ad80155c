using System.CommandLine;
using Injector.Core.Config;
using Injector.Webhook;
using Injector.Webhook.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Injector;

/// <summary><c>injector serve</c>: the mutating admission webhook over TLS.</summary>
internal static class ServeCommand
{
    private const string Examples = """
        Examples:
          injector serve --tls-cert certs/tls.crt --tls-key certs/tls.key --address 127.0.0.1 --console-address 127.0.0.1:8081
          injector serve --config-dir /etc/injector/config --native-sidecars auto --revision canary
          injector serve --log-format json --log-level warn   # JSON lines; OTEL_EXPORTER_OTLP_ENDPOINT turns traces on
        """;

    public static Command Create()
    {
        var config = new ConfigOptions();
        var port = new Option<int>("--port") { Description = "HTTPS port of /inject", DefaultValueFactory = _ => 9443 };
        var healthPort = new Option<int>("--health-port") { Description = "Plain-HTTP port of /healthz, /readyz and /metrics (so /inject is the only TLS surface)", DefaultValueFactory = _ => 8080 };
        var address = new Option<string>("--address") { Description = "Address to listen on", DefaultValueFactory = _ => "0.0.0.0" };
        var cert = new Option<string>("--tls-cert") { Description = "PEM serving certificate (reloaded when it changes)", DefaultValueFactory = _ => "certs/tls.crt" };
        var key = new Option<string>("--tls-key") { Description = "PEM private key (reloaded when it changes)", DefaultValueFactory = _ => "certs/tls.key" };
        var clientCa = new Option<string?>("--client-ca") { Description = "PEM CA bundle: require TLS clients (the API server) to present a certificate it issued (reloaded when it changes)" };
        var shutdownDelay = new Option<double>("--shutdown-delay") { Description = "Seconds to keep serving after SIGTERM with /readyz failing, before draining", DefaultValueFactory = _ => 5 };
        var console = new Option<string?>("--console-address") { Description = "HOST:PORT of the console's plain-HTTP listener (its JSON API at /api/v1: explain, inject preview, config); off by default, reach it with kubectl port-forward" };
        var logFormat = new Option<string>("--log-format") { Description = "Log lines on stdout: text (one line each) or json (one JSON object each: Timestamp, LogLevel, EventId, Category, Message, State)", DefaultValueFactory = _ => "text" };
        logFormat.AcceptOnlyFromAmong("text", "json");
        var logLevel = new Option<string>("--log-level") { Description = "Least severe level logged: debug, info, warn or error", DefaultValueFactory = _ => "info" };
        logLevel.AcceptOnlyFromAmong("debug", "info", "warn", "error");
        var memoEntries = new Option<int>("--memo-entries") { Description = "Answers remembered for identical pods (a rollout's ReplicaSet sends identical pods); 0 turns the memo off", DefaultValueFactory = _ => AdmissionMemo.DefaultMaxEntries };
        var command = new Command("serve", "Serve the sidecar injection webhook (POST /inject) over TLS\n\n" + Examples + "\n" + ExitCodes.Help);
        foreach (var option in new Option[] { port, healthPort, address, cert, key, clientCa, shutdownDelay, console, logFormat, logLevel, memoEntries })
        {
            command.Options.Add(option);
        }

        config.AddTo(command, allowAuto: true);
        command.SetAction(async (result, ct) =>
        {
            _ = TrustStoreWarmup.Start(result.GetValue(cert)!);
            var sources = config.Read(result);
            var cluster = InCluster.Client();
            var watchNodes = config.NativeSidecarsIsAuto(result) && cluster is not null;
            if (config.NativeSidecarsIsAuto(result))
            {
                // Istio's ENABLE_NATIVE_SIDECARS=auto: native only while every node's kubelet is 1.33 or newer. In a
                // cluster the nodes are watched and /readyz waits for their first list; outside one, classic sidecars.
                Console.Error.WriteLine(cluster is null
                    ? "native sidecars: disabled (not in a cluster)"
                    : "native sidecars: from the nodes' kubelet versions, followed as nodes join and leave");
                sources = sources with { NativeSidecars = false };
            }

            try
            {
                // Refuse a bad configuration before listening; the server's source loads it again and then follows the files.
                _ = InjectorFactory.Build(sources);
            }
            catch (ConfigException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.BadConfig;
            }

            if (result.GetValue(memoEntries) is < 0 or > 1_000_000)
            {
                Console.Error.WriteLine("error: --memo-entries: want a number between 0 (off) and 1000000");
                return ExitCodes.BadConfig;
            }

            var delay = result.GetValue(shutdownDelay);
            if (delay is < 0 or > 300)
            {
                Console.Error.WriteLine("error: --shutdown-delay: want seconds between 0 and 300");
                return ExitCodes.BadConfig;
            }

            string? consoleHost = null;
            var consolePort = 0;
            if (result.GetValue(console) is { } consoleAddress)
            {
                var colon = consoleAddress.LastIndexOf(':');
                if (colon <= 0 || !int.TryParse(consoleAddress[(colon + 1)..], out consolePort) || consolePort is < 1 or > 65535)
                {
                    Console.Error.WriteLine($"error: --console-address {consoleAddress}: want HOST:PORT, such as 127.0.0.1:8081");
                    return ExitCodes.BadConfig;
                }

                consoleHost = consoleAddress[..colon];
                if (consolePort == result.GetValue(port) || consolePort == result.GetValue(healthPort))
                {
                    Console.Error.WriteLine($"error: --console-address {consoleAddress}: the port must differ from --port and --health-port");
                    return ExitCodes.BadConfig;
                }

                if (!System.Net.IPAddress.TryParse(consoleHost, out var consoleIp) || !System.Net.IPAddress.IsLoopback(consoleIp))
                {
                    Console.Error.WriteLine($"warning: --console-address {consoleAddress} is not a loopback address: the console (read-only, no authentication) is reachable from the network");
                }
            }

            var options = new WebhookServerOptions
            {
                ConsoleAddress = consoleHost,
                ConsolePort = consolePort,
                WebhookConfiguration = consoleHost is null ? null : Injector.Webhook.Console.ManifestExplainer.ForRevision(ExplainCommand.InstalledWebhookConfiguration(), sources.Revision),
                Address = result.GetValue(address)!,
                Port = result.GetValue(port),
                HealthPort = result.GetValue(healthPort),
                TlsCertFile = result.GetValue(cert)!,
                TlsKeyFile = result.GetValue(key)!,
                ClientCaFile = result.GetValue(clientCa),
                ShutdownDelay = TimeSpan.FromSeconds(delay),
                MemoEntries = result.GetValue(memoEntries),
                LogFormat = result.GetValue(logFormat) == "json" ? LogFormat.Json : LogFormat.Text,
                LogLevel = result.GetValue(logLevel) switch
                {
                    "debug" => LogLevel.Debug,
                    "warn" => LogLevel.Warning,
                    "error" => LogLevel.Error,
                    _ => LogLevel.Information,
                },
            };
            try
            {
                // The config dir and the file flags are re-read when their bytes change; --set and the other flags apply over them on every reload.
                await WebhookServer.RunAsync(
                    options,
                    services => new ReloadingInjectorSource(
                        sources,
                        ReloadingInjectorSource.DefaultInterval,
                        services.GetRequiredService<ILogger<ReloadingInjectorSource>>()),
                    ct,
                    cluster: cluster is null ? null : new ClusterOptions(
                        cluster,
                        watchNodes,
                        // The namespaces matter on OpenShift (the proxy's UID range) and to the console's explain.
                        WatchNamespaces: sources.Platform == "openshift" || consoleHost is not null));
            }
            catch (ConfigException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.BadConfig;
            }
            catch (IOException e)
            {
                // Kestrel could not bind (address in use, permission).
                Console.Error.WriteLine($"error: cannot listen: {e.Message}");
                return ExitCodes.IoError;
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
