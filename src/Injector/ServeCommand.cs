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
    public static Command Create()
    {
        var config = new ConfigOptions();
        var port = new Option<int>("--port") { Description = "HTTPS port", DefaultValueFactory = _ => 9443 };
        var address = new Option<string>("--address") { Description = "Address to listen on", DefaultValueFactory = _ => "0.0.0.0" };
        var cert = new Option<string>("--tls-cert") { Description = "PEM serving certificate (reloaded when it changes)", DefaultValueFactory = _ => "certs/tls.crt" };
        var key = new Option<string>("--tls-key") { Description = "PEM private key (reloaded when it changes)", DefaultValueFactory = _ => "certs/tls.key" };
        var command = new Command("serve", "Serve the sidecar injection webhook (POST /inject) over TLS");
        command.Options.Add(port);
        command.Options.Add(address);
        command.Options.Add(cert);
        command.Options.Add(key);
        config.AddTo(command, allowAuto: true);
        command.SetAction(async (result, ct) =>
        {
            var sources = config.Read(result);
            var cluster = InCluster.Client();
            if (config.NativeSidecarsIsAuto(result))
            {
                // Istio's ENABLE_NATIVE_SIDECARS=auto: native only when every node's kubelet is 1.33 or newer.
                var native = cluster is not null && await InCluster.NativeSidecarsAsync(cluster, ct);
                Console.Error.WriteLine($"native sidecars: {(native ? "enabled" : "disabled")} ({(cluster is null ? "not in a cluster" : "from the nodes' kubelet versions")})");
                sources = sources with { NativeSidecars = native };
            }
            try
            {
                // Refuse a bad configuration before listening; the server's source loads it again and then follows the files.
                _ = ReloadingInjectorSource.Build(sources);
            }
            catch (ConfigException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.BadConfig;
            }

            var options = new WebhookServerOptions
            {
                Address = result.GetValue(address)!,
                Port = result.GetValue(port),
                TlsCertFile = result.GetValue(cert)!,
                TlsKeyFile = result.GetValue(key)!,
            };
            try
            {
                // The config dir and the file flags are re-read when their bytes change; --set and the other flags apply over them on every reload.
                await WebhookServer.RunAsync(
                    options,
                    services => new ReloadingInjectorSource(
                        sources,
                        ReloadingInjectorSource.DefaultInterval,
                        services.GetRequiredService<ILogger<ReloadingInjectorSource>>(),
                        cluster is null ? null : new ClusterNamespaceAnnotations(cluster, services.GetRequiredService<ILogger<ClusterNamespaceAnnotations>>())),
                    ct);
            }
            catch (ConfigException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.BadConfig;
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
