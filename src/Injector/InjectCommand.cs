using System.CommandLine;
using Injector.Core;
using Injector.Core.Config;
using Injector.Core.Platform;
using Injector.Core.Workloads;

namespace Injector;

/// <summary><c>injector inject</c>: offline injection of workload YAML, like <c>istioctl kube-inject</c>.</summary>
internal static class InjectCommand
{
    public static Command Create()
    {
        var config = new ConfigOptions();
        var file = new Option<string>("--filename", "-f") { Description = "Input YAML file, or - for stdin", Required = true };
        var output = new Option<string?>("--output", "-o") { Description = "Output file (default stdout)" };
        var namespaceAnnotations = new Option<string[]>("--namespace-annotation")
        {
            Description = "An annotation of the workloads' namespace, KEY=VALUE (repeatable); with --platform openshift, openshift.io/sa.scc.uid-range and openshift.io/sa.scc.supplemental-groups set the proxy's UID and GID",
        };
        var command = new Command("inject", "Inject the sidecar into workload YAML (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, List)");
        command.Options.Add(file);
        command.Options.Add(output);
        command.Options.Add(namespaceAnnotations);
        config.AddTo(command);
        command.SetAction(result => Run(result.GetValue(file)!, result.GetValue(output), config.Read(result), result.GetValue(namespaceAnnotations) ?? []));
        return command;
    }

    private static int Run(string file, string? output, ConfigSources sources, string[] namespaceAnnotations)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in namespaceAnnotations)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                Console.Error.WriteLine($"error: --namespace-annotation {pair}: want KEY=VALUE");
                return ExitCodes.BadConfig;
            }

            annotations[pair[..eq]] = pair[(eq + 1)..];
        }

        string input;
        try
        {
            input = file == "-" ? Console.In.ReadToEnd() : File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: cannot read {file}: {e.Message}");
            return ExitCodes.IoError;
        }

        PodInjector injector;
        try
        {
            injector = new PodInjector(SettingsLoader.Load(sources), new FixedNamespaceAnnotations(annotations));
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadConfig;
        }

        string text;
        try
        {
            var (result, warnings) = KubeInject.Run(input, injector);
            foreach (var warning in warnings)
            {
                Console.Error.WriteLine(warning);
            }

            text = result;
        }
        catch (InjectionException e)
        {
            // The named reason first, as the webhook's logs and metrics label it, then the exact problem.
            Console.Error.WriteLine($"error: {e.Reason.Code}: {e.Message}");
            return ExitCodes.Denied;
        }

        try
        {
            if (output is null)
            {
                Console.Out.Write(text);
            }
            else
            {
                File.WriteAllText(output, text);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: cannot write {output}: {e.Message}");
            return ExitCodes.IoError;
        }

        return ExitCodes.Ok;
    }
}
