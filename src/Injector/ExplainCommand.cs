using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using Injector.Core.Config;
using Injector.Core.Explain;
using Injector.Core.Workloads;
using Injector.Documents;
using Injector.Webhook;
using Injector.Webhook.Console;

namespace Injector;

/// <summary>
/// <c>injector explain</c>: offline, for each pod of a manifest, why the webhook would (not) inject it — the webhook
/// configuration's selectors, each check of the decision, the revision, the templates — with the reason codes logs
/// and metrics use.
/// </summary>
internal static class ExplainCommand
{
    private const string Examples = """
        Examples:
          injector explain -f deploy.yaml --namespace-label istio-injection=enabled
          injector explain -f pod.yaml --namespace-label istio.io/rev=canary --revision canary -o json
          injector explain -f deploy.yaml --webhook-config my-mwc.yaml --config-dir /etc/istio/inject
        """;

    public static Command Create()
    {
        var config = new ConfigOptions();
        var file = new Option<string[]>("--filename", "-f") { Description = "The manifest: a file, a folder, or - for stdin; repeatable" };
        var namespaceLabels = new Option<string[]>("--namespace-label") { Description = "A label of the pods' namespace, KEY=VALUE (repeatable): what the webhook configuration's namespaceSelector sees" };
        var namespaceName = new Option<string>("--namespace", "-n") { Description = "The namespace of documents that name none", DefaultValueFactory = _ => "default" };
        var webhookConfig = new Option<string?>("--webhook-config") { Description = "A MutatingWebhookConfiguration whose selectors decide which pods reach the injector (default: the one manifests/ installs; none: skip that step)" };
        var output = new Option<string>("--output", "-o") { Description = "text or json", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        var command = new Command("explain", "Explain, for each pod of a manifest, whether the webhook injects it and why: selectors, checks, revision, templates\n\n" + Examples + "\n" + ExitCodes.Help);
        foreach (var option in new Option[] { file, namespaceLabels, namespaceName, webhookConfig, output })
        {
            command.Options.Add(option);
        }

        config.AddTo(command);
        command.SetAction(result => Run(
            result.GetValue(file) ?? [],
            result.GetValue(namespaceLabels) ?? [],
            result.GetValue(namespaceName)!,
            result.GetValue(webhookConfig),
            result.GetValue(output) == "json",
            config.Read(result)));
        return command;
    }

    private static int Run(string[] files, string[] namespaceLabels, string defaultNamespace, string? webhookConfig, bool json, ConfigSources sources)
    {
        if (files.Length == 0)
        {
            return Fail(ExitCodes.BadConfig, "filename not specified: pass -f FILE (or --filename FILE; - reads standard input)");
        }

        if (KeyValueFlags.Parse("--namespace-label", namespaceLabels, out var badLabel) is not { } labels)
        {
            return Fail(ExitCodes.BadConfig, badLabel);
        }

        var (input, inputError, inputCode) = InputFiles.Read(files);
        if (inputError is not null)
        {
            return Fail(inputCode, inputError);
        }

        JsonObject? configuration;
        Core.PodInjector injector;
        IReadOnlyList<Explanation> explanations;
        try
        {
            // Without --webhook-config, the entries the manifests install for the revision served.
            configuration = webhookConfig is null ? ManifestExplainer.ForRevision(InstalledWebhookConfiguration(), sources.Revision) : WebhookConfiguration(webhookConfig);
            injector = InjectorFactory.Build(sources);
            explanations = ManifestExplainer.Explain(injector, input!, defaultNamespace, labels, configuration);
        }
        catch (ConfigException e)
        {
            return Fail(ExitCodes.BadConfig, e.Message);
        }
        catch (YamlFormatException e)
        {
            return Fail(ExitCodes.BadConfig, $"the manifest does not parse: {e.Message}");
        }
        catch (ManifestException e)
        {
            return Fail(ExitCodes.BadConfig, e.Message);
        }

        if (explanations.Count == 0)
        {
            return Fail(ExitCodes.BadConfig, "the manifest has no pod or workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, List) to explain");
        }

        Console.Out.Write(json ? Json(explanations) : Text(explanations));
        return ExitCodes.Ok;
    }

    /// <summary>The configuration of <c>--webhook-config FILE</c>; null for <c>none</c>.</summary>
    private static JsonObject? WebhookConfiguration(string path)
    {
        if (path == "none")
        {
            return null;
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"--webhook-config {path}: {e.Message}", e);
        }

        try
        {
            return ManifestExplainer.WebhookConfiguration(text)
                ?? throw new ConfigException($"--webhook-config {path}: no MutatingWebhookConfiguration in it");
        }
        catch (YamlFormatException e)
        {
            throw new ConfigException($"--webhook-config {path}: {e.Message}", e);
        }
    }

    /// <summary>The MutatingWebhookConfiguration the manifests install (embedded from manifests/base).</summary>
    public static JsonObject InstalledWebhookConfiguration()
    {
        using var stream = typeof(ExplainCommand).Assembly.GetManifestResourceStream("mutatingwebhook.yaml")
            ?? throw new InvalidOperationException("embedded mutatingwebhook.yaml is missing");
        using var reader = new StreamReader(stream);
        return ManifestExplainer.WebhookConfiguration(reader.ReadToEnd()) ?? throw new InvalidOperationException("embedded mutatingwebhook.yaml has no MutatingWebhookConfiguration");
    }

    private static string Text(IEnumerable<Explanation> explanations)
    {
        var text = new StringBuilder();
        foreach (var e in explanations)
        {
            text.Append("pod ").Append(e.Pod).Append(": ").Append(e.Outcome).Append(" (").Append(e.Reason).Append(")\n");
            foreach (var step in e.Steps)
            {
                text.Append("  ").Append(Mark(step.Result)).Append(' ').Append(step.Check.PadRight(22)).Append(' ').Append(step.Detail).Append('\n');
            }

            foreach (var warning in e.Warnings)
            {
                text.Append("  warning: ").Append(warning).Append('\n');
            }

            text.Append('\n');
        }

        return text.ToString();

        static string Mark(string result) => result switch
        {
            "pass" => "ok  ",
            "decide" => "=>  ",
            "stop" => "STOP",
            _ => "    ",
        };
    }

    private static string Json(IEnumerable<Explanation> explanations) =>
        ManifestExplainer.ToJson(explanations).ToJsonString(ManifestExplainer.Indented) + "\n";

    private static int Fail(int code, string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return code;
    }
}
