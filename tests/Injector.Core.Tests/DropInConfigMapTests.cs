using System.Text.Json.Nodes;
using Injector.Core.Workloads;
using Injector.Documents;

namespace Injector.Core.Tests;

/// <summary>
/// An Istio injector ConfigMap used unchanged (testdata/dropin: <c>config</c> with Go templates, <c>values</c> JSON,
/// <c>mesh</c>), through both doors: the config dir + webhook (patch applied), and the CLI's file flags.
/// </summary>
public sealed class DropInConfigMapTests
{
    private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "testdata", "dropin");

    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: hello
          namespace: default
        spec:
          selector:
            matchLabels:
              app: hello
          template:
            metadata:
              labels:
                app: hello
              annotations:
                ANNOTATIONS
            spec:
              serviceAccountName: hello-sa
              containers:
              - name: hello
                image: hello:1.0
                ports:
                - containerPort: 80
                  name: http
                  protocol: TCP
              - name: metrics
                image: metrics:1.0
                ports:
                - containerPort: 9090
        """;

    private static JsonObject Pod(string annotations) => (JsonObject)JsonNode.Parse($$"""
        {
          "apiVersion": "v1",
          "kind": "Pod",
          "metadata": {"name": "hello-abc", "namespace": "default", "labels": {"app": "hello"}, "annotations": {{annotations}}},
          "spec": {
            "serviceAccountName": "hello-sa",
            "containers": [
              {"name": "hello", "image": "hello:1.0", "ports": [{"containerPort": 80, "name": "http", "protocol": "TCP"}]},
              {"name": "metrics", "image": "metrics:1.0", "ports": [{"containerPort": 9090}]}
            ]
          }
        }
        """)!;

    private static string Read(string name) => File.ReadAllText(Path.Combine(Dir, "expected", name)).TrimEnd('\n');

    [Theory]
    [InlineData("{}", "default.yaml")]
    [InlineData("""{"inject.istio.io/templates": "full"}""", "full.yaml")]
    [InlineData("""{"inject.istio.io/templates": "sidecar,extras", "sidecar.istio.io/logLevel": "debug"}""", "listed.yaml")]
    public void Webhook_door_with_the_config_dir_renders_the_ConfigMap_templates(string annotations, string expected)
    {
        var injector = new PodInjector(TestConfig.Load(configDir: Dir));
        Assert.Empty(injector.BrokenTemplates);
        var pod = Pod(annotations);

        var result = injector.Inject(new InjectionRequest(pod, "default", InjectionDoor.Webhook, []));

        result.Injected();
        var patched = Pods.ApplyPatch(pod, result.Injected().Patch);
        Assert.True(JsonNode.DeepEquals(result.Injected().Pod, patched));
        var spec = GoYaml.Write(new JsonObject { ["metadata"] = patched["metadata"]!.DeepClone(), ["spec"] = patched["spec"]!.DeepClone() });
        AssertGolden(expected, Normalize(spec));
    }

    [Theory]
    [InlineData("{}", "default.yaml")]
    [InlineData("""{"inject.istio.io/templates": "full"}""", "full.yaml")]
    [InlineData("""{"inject.istio.io/templates": "sidecar,extras", "sidecar.istio.io/logLevel": "debug"}""", "listed.yaml")]
    public void Cli_door_with_the_file_flags_renders_the_ConfigMap_templates(string annotations, string expected)
    {
        var injector = new PodInjector(TestConfig.Load(
            injectConfigFile: Path.Combine(Dir, "config"),
            valuesFile: Path.Combine(Dir, "values"),
            meshFile: Path.Combine(Dir, "mesh")));
        var input = Deployment.Replace("ANNOTATIONS", annotations == "{}" ? "{}" : annotations, StringComparison.Ordinal);

        var result = KubeInject.Run(input, injector);

        Assert.Null(result.Denial);
        Assert.Empty(result.Warnings);
        var document = (JsonObject)GoYaml.Parse(result.Output!.Split("---\n")[0])!;
        var template = document["spec"]!["template"]!;
        var spec = GoYaml.Write(new JsonObject { ["metadata"] = template["metadata"]!.DeepClone(), ["spec"] = template["spec"]!.DeepClone() });
        AssertGolden("cli-" + expected, Normalize(spec));
    }

    private static string Normalize(string yaml) => yaml.TrimEnd('\n');

    /// <summary>Golden update: INJECTOR_UPDATE_DROPIN=DIR writes what was rendered into DIR (review before committing).</summary>
    private static void AssertGolden(string name, string actual)
    {
        if (Environment.GetEnvironmentVariable("INJECTOR_UPDATE_DROPIN") is { Length: > 0 } target)
        {
            File.WriteAllText(Path.Combine(target, name), actual + "\n");
            return;
        }

        Assert.Equal(Read(name), actual);
    }
}
