using System.CommandLine;
using Injector.Core.Config;
using Injector.Core.Workloads;
using Injector.Documents;
using Injector.Webhook;

namespace Injector;

/// <summary><c>injector inject</c>: offline injection of workload YAML, like <c>istioctl kube-inject</c>.</summary>
internal static class InjectCommand
{
    private const string Examples = """
        Examples:
          injector inject -f deploy.yaml -o deploy-injected.yaml
          kubectl get deploy web -o yaml | injector inject -f - | kubectl apply -f -
          injector inject -f app/ --config-dir /etc/istio/inject --set values.global.hub=docker.io/istio --set values.global.tag=1.28.0
          injector inject -f deploy.yaml --injectConfigFile inject-config.yaml --meshConfigFile mesh.yaml --valuesFile values.json
        """;

    public static Command Create()
    {
        var config = new ConfigOptions();
        var file = new Option<string[]>("--filename", "-f")
        {
            Description = "Input: a YAML or JSON file, a folder (its *.yaml, *.yml and *.json files, in name order), or - for stdin; repeatable (each file once, in order)",
        };
        var output = new Option<string?>("--output", "-o") { Description = "Output file (default stdout)" };
        var namespaceAnnotations = new Option<string[]>("--namespace-annotation")
        {
            Description = "An annotation of the workloads' namespace, KEY=VALUE (repeatable); with --platform openshift, openshift.io/sa.scc.uid-range and openshift.io/sa.scc.supplemental-groups set the proxy's UID and GID",
        };
        var command = new Command("inject", "Inject the sidecar into workload YAML (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, List)\n\n" + Examples + "\n" + ExitCodes.Help);
        command.Options.Add(file);
        command.Options.Add(output);
        command.Options.Add(namespaceAnnotations);
        config.AddTo(command);
        command.SetAction(result => Run(result.GetValue(file) ?? [], result.GetValue(output), config.Read(result), result.GetValue(namespaceAnnotations) ?? []));
        return command;
    }

    private static int Run(string[] files, string? output, ConfigSources sources, string[] namespaceAnnotations)
    {
        if (files.Length == 0)
        {
            return Fail(ExitCodes.BadConfig, "filename not specified: pass -f FILE (or --filename FILE; - reads standard input)");
        }

        if (KeyValueFlags.Parse("--namespace-annotation", namespaceAnnotations, out var badAnnotation) is not { } annotations)
        {
            return Fail(ExitCodes.BadConfig, badAnnotation);
        }

        var (input, inputError, inputCode) = InputFiles.Read(files);
        if (inputError is not null)
        {
            return Fail(inputCode, inputError);
        }

        Core.PodInjector injector;
        try
        {
            injector = InjectorFactory.Build(sources);
        }
        catch (ConfigException e)
        {
            return Fail(ExitCodes.BadConfig, e.Message);
        }

        var result = KubeInject.Run(input!, injector, annotations);
        foreach (var warning in result.Warnings)
        {
            Console.Error.WriteLine(warning);
        }

        if (result.Denial is { } denial)
        {
            // The named reason first, as the webhook's logs and metrics label it, then the exact problem.
            return Fail(ExitCodes.Denied, $"{denial.Code}: {denial.Message}");
        }

        try
        {
            if (output is null)
            {
                Console.Out.Write(result.Output);
            }
            else
            {
                File.WriteAllText(output, result.Output);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(ExitCodes.IoError, $"cannot write {output}: {e.Message}");
        }

        return ExitCodes.Ok;
    }

    private static int Fail(int code, string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return code;
    }
}

/// <summary>Reads the CLI's input: a file, a folder's YAML and JSON files, or stdin; bounded in size, with a clear message for each failure.</summary>
internal static class InputFiles
{
    /// <summary>The largest input read (all files together).</summary>
    public static long MaxBytes => YamlLimits.Document.MaxChars;

    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>
    /// The texts of several <c>-f</c> inputs as one stream of documents, each path once in the order given (istioctl
    /// reads only the last; injecting one file twice is never meant). Standard input may be named once.
    /// </summary>
    public static (string? Text, string? Error, int Code) Read(IReadOnlyList<string> files)
    {
        var distinct = files.Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count == 1)
        {
            return Read(distinct[0]);
        }

        var all = new System.Text.StringBuilder();
        foreach (var file in distinct)
        {
            var (text, error, code) = Read(file);
            if (error is not null)
            {
                return (null, error, code);
            }

            if (all.Length + text!.Length > MaxBytes)
            {
                return (null, $"the inputs hold more than the limit of {MaxBytes} bytes", ExitCodes.IoError);
            }

            all.Append(text);
            if (!text.EndsWith('\n'))
            {
                all.Append('\n');
            }

            all.Append("---\n");
        }

        return (all.ToString(), null, 0);
    }

    /// <summary>The text, or an error message with its exit code.</summary>
    public static (string? Text, string? Error, int Code) Read(string file)
    {
        try
        {
            if (file == "-")
            {
                return ReadStdin();
            }

            if (Directory.Exists(file))
            {
                return ReadFolder(file);
            }

            if (!File.Exists(file))
            {
                return (null, $"cannot read {file}: no such file or directory", ExitCodes.IoError);
            }

            return ReadFile(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"cannot read {file}: {e.Message}", ExitCodes.IoError);
        }
    }

    private static (string?, string?, int) ReadStdin()
    {
        if (!Console.IsInputRedirected)
        {
            return (null, "-f -: standard input is a terminal; pipe the YAML in (cat app.yaml | injector inject -f -) or pass -f FILE", ExitCodes.BadConfig);
        }

        if (ClosedStdin.Detect())
        {
            return (null, "-f -: standard input is closed: nothing to inject; pipe the YAML in or pass -f FILE", ExitCodes.BadConfig);
        }

        string? text;
        try
        {
            using var stdin = Console.OpenStandardInput();
            text = BoundedText.Read(stdin, MaxBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ObjectDisposedException)
        {
            return (null, $"-f -: cannot read standard input ({e.Message}); is it closed?", ExitCodes.IoError);
        }

        if (text is null)
        {
            return (null, $"-f -: standard input holds more than the limit of {MaxBytes} bytes", ExitCodes.IoError);
        }

        return Empty(text) ? (null, "-f -: standard input is empty (or closed): nothing to inject", ExitCodes.BadConfig) : (text, null, 0);
    }

    private static (string?, string?, int) ReadFile(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var text = BoundedText.Read(stream, MaxBytes);
        if (text is null)
        {
            return (null, $"cannot read {file}: more than the limit of {MaxBytes} bytes", ExitCodes.IoError);
        }

        return Empty(text) ? (null, $"{file} is empty: nothing to inject", ExitCodes.BadConfig) : (text, null, 0);
    }

    /// <summary>As <c>kubectl apply -f DIR</c>: the folder's YAML and JSON files (not its subfolders), in name order, as one stream.</summary>
    private static (string?, string?, int) ReadFolder(string dir)
    {
        var files = Directory.GetFiles(dir)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            return (null, $"{dir}: the folder has no *.yaml, *.yml or *.json file: nothing to inject", ExitCodes.BadConfig);
        }

        var all = new System.Text.StringBuilder();
        foreach (var file in files)
        {
            var (text, error, code) = ReadFile(file);
            if (error is not null && code != ExitCodes.BadConfig)
            {
                return (null, error, code);
            }

            if (text is null)
            {
                continue;
            }

            if (all.Length + text.Length > MaxBytes)
            {
                return (null, $"{dir}: its files hold more than the limit of {MaxBytes} bytes", ExitCodes.IoError);
            }

            all.Append(text);
            if (!text.EndsWith('\n'))
            {
                all.Append('\n');
            }

            all.Append("---\n");
        }

        return all.Length == 0 ? (null, $"{dir}: every file is empty: nothing to inject", ExitCodes.BadConfig) : (all.ToString(), null, 0);
    }

    private static bool Empty(string text) => string.IsNullOrWhiteSpace(text);
}
