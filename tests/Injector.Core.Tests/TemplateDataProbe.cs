using System.Text.Json.Nodes;
using Injector.Core.Config;

namespace Injector.Core.Tests;

/// <summary>
/// Renders one small template through the real pipeline (SettingsLoader defaults, PodInjector, TemplateSet, TemplateData):
/// the template writes the expression's output into the annotation <c>out</c> of the injected pod.
/// </summary>
internal static class TemplateDataProbe
{
    private static readonly Lazy<InjectorSettings> Base = new(() => TestConfig.Load(
        sets: ["values.pilot.env.MY_ENV=from-istiod"]));

    public const string ProbeTemplate = "probe";

    /// <summary>A pod with two containers (ports TCP, UDP and protocol-less), an init container and a service account.</summary>
    public static JsonObject Pod(string annotations = "{}") => (JsonObject)JsonNode.Parse($$"""
        {
          "apiVersion": "v1",
          "kind": "Pod",
          "metadata": {"name": "hello", "namespace": "default", "labels": {"app": "hello"}, "annotations": {{annotations}}},
          "spec": {
            "serviceAccountName": "sa",
            "initContainers": [{"name": "setup", "image": "setup:1"}],
            "containers": [
              {"name": "hello", "image": "hello:1", "ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"}, {"containerPort": 53, "protocol": "UDP"}]},
              {"name": "side", "image": "side:1", "ports": [{"containerPort": 9090}]}
            ]
          }
        }
        """)!;

    public static PodInjector Injector(string templateText)
    {
        var settings = Base.Value;
        var config = settings.Config with
        {
            Templates = new Dictionary<string, string>(StringComparer.Ordinal) { [ProbeTemplate] = templateText },
            DefaultTemplates = [ProbeTemplate],
        };
        return new PodInjector(settings with { Config = config });
    }

    /// <summary>The template text that prints <paramref name="expression"/> (a template fragment) into annotation <c>out</c>.</summary>
    public static string Wrap(string expression) => "metadata:\n  annotations:\n    out: |-\n      " + expression + "\n";

    public static InjectionResult Inject(string templateText, string annotations = "{}") =>
        Injector(templateText).Inject(new InjectionRequest(Pod(annotations), "default", InjectionDoor.Webhook, []));

    /// <summary>What the fragment printed; throws with the denial when rendering failed.</summary>
    public static string Render(string expression, string annotations = "{}")
    {
        var result = Inject(Wrap(expression), annotations);
        result.Injected();
        return result.Injected().Pod["metadata"]!["annotations"]!["out"]!.ToString();
    }
}
