using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Injector.Core.Config;
using Injector.Core.Explain;
using Injector.Core.Workloads;
using Injector.Documents;
using Injector.Webhook;

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

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in namespaceLabels)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return Fail(ExitCodes.BadConfig, $"--namespace-label {pair}: want KEY=VALUE");
            }

            labels[pair[..eq]] = pair[(eq + 1)..];
        }

        var (input, inputError, inputCode) = InputFiles.Read(files);
        if (inputError is not null)
        {
            return Fail(inputCode, inputError);
        }

        JsonObject? configuration;
        Core.PodInjector injector;
        List<JsonObject> documents;
        try
        {
            configuration = WebhookConfiguration(webhookConfig);
            injector = InjectorFactory.Build(sources);
            documents = [.. GoYaml.ParseAll(input!, YamlLimits.Document).OfType<JsonObject>()];
        }
        catch (ConfigException e)
        {
            return Fail(ExitCodes.BadConfig, e.Message);
        }
        catch (YamlFormatException e)
        {
            return Fail(ExitCodes.BadConfig, $"the manifest does not parse: {e.Message}");
        }

        var explanations = new List<Explanation>();
        foreach (var (pod, ns) in Pods(documents, defaultNamespace))
        {
            explanations.Add(InjectionExplainer.Explain(injector, pod, ns, labels, configuration));
        }

        if (explanations.Count == 0)
        {
            return Fail(ExitCodes.BadConfig, "the manifest has no pod or workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, List) to explain");
        }

        Console.Out.Write(json ? Json(explanations) : Text(explanations));
        return ExitCodes.Ok;
    }

    /// <summary>Each pod as its controller creates it: a Pod document, or a workload's template in the workload's namespace.</summary>
    private static IEnumerable<(JsonObject Pod, string Namespace)> Pods(IEnumerable<JsonObject> documents, string defaultNamespace)
    {
        foreach (var document in documents)
        {
            if (document["kind"]?.ToString() == "List")
            {
                foreach (var item in Pods((document["items"] as JsonArray ?? []).OfType<JsonObject>(), defaultNamespace))
                {
                    yield return item;
                }

                continue;
            }

            if (PodTemplateLocation.Find(document) is not { } location)
            {
                continue;
            }

            var pod = location.ReadPod();
            pod["apiVersion"] = "v1";
            pod["kind"] = "Pod";
            var ns = document["metadata"]?["namespace"]?.ToString() is { Length: > 0 } named ? named : defaultNamespace;
            var meta = pod["metadata"] as JsonObject ?? (JsonObject)(pod["metadata"] = new JsonObject());
            meta["namespace"] = ns;
            if (document["kind"]?.ToString() != "Pod")
            {
                meta["generateName"] = $"{document["metadata"]?["name"]}-";
            }

            yield return (pod, ns);
        }
    }

    private static JsonObject? WebhookConfiguration(string? path)
    {
        if (path == "none")
        {
            return null;
        }

        string text;
        if (path is null)
        {
            using var stream = typeof(ExplainCommand).Assembly.GetManifestResourceStream("mutatingwebhook.yaml")
                ?? throw new InvalidOperationException("embedded mutatingwebhook.yaml is missing");
            using var reader = new StreamReader(stream);
            text = reader.ReadToEnd();
        }
        else
        {
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigException($"--webhook-config {path}: {e.Message}", e);
            }
        }

        try
        {
            return GoYaml.ParseAll(text, YamlLimits.Default).OfType<JsonObject>().FirstOrDefault(d => d["kind"]?.ToString() == "MutatingWebhookConfiguration")
                ?? throw new ConfigException($"--webhook-config {path}: no MutatingWebhookConfiguration in it");
        }
        catch (YamlFormatException e)
        {
            throw new ConfigException($"--webhook-config {path}: {e.Message}", e);
        }
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

    private static string Json(IEnumerable<Explanation> explanations)
    {
        var options = new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var array = new JsonArray([.. explanations.Select(e => (JsonNode)new JsonObject
        {
            ["pod"] = e.Pod,
            ["outcome"] = e.Outcome,
            ["reason"] = e.Reason,
            ["message"] = e.Message,
            ["steps"] = new JsonArray([.. e.Steps.Select(s => (JsonNode)new JsonObject { ["check"] = s.Check, ["result"] = s.Result, ["detail"] = s.Detail })]),
            ["templates"] = new JsonArray([.. e.Templates.Select(t => (JsonNode)t)]),
            ["warnings"] = new JsonArray([.. e.Warnings.Select(w => (JsonNode)w)]),
        })]);
        return array.ToJsonString(options) + "\n";
    }

    private static int Fail(int code, string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return code;
    }
}
