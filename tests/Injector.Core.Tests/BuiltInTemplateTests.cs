using System.Text.Json.Nodes;
using Injector.Core.Kube;
using Injector.Documents;

namespace Injector.Core.Tests;

/// <summary>The embedded templates other than sidecar, selected with inject.istio.io/templates.</summary>
public sealed class BuiltInTemplateTests
{
    [Fact]
    public void Grpc_agent_runs_the_agent_without_envoy_and_points_the_app_at_its_bootstrap()
    {
        var result = Pods.Inject(Pods.Hello(annotations: """{"inject.istio.io/templates": "grpc-agent"}"""));

        result.Injected();
        var pod = result.Injected().Pod;
        var proxy = PodJson.Find(pod, "containers", "istio-proxy")!;
        Assert.Contains(proxy["env"]!.AsArray(), e => e!["name"]!.ToString() == "DISABLE_ENVOY" && e["value"]!.ToString() == "true");
        var app = PodJson.Find(pod, "containers", "hello")!;
        Assert.Contains(app["env"]!.AsArray(), e => e!["name"]!.ToString() == "GRPC_XDS_BOOTSTRAP");
        Assert.Null(PodJson.Find(pod, "initContainers", "istio-init"));
        Assert.Equal("false", pod["metadata"]!["annotations"]!["sidecar.istio.io/rewriteAppHTTPProbers"]!.ToString());
        Assert.Contains("\"containers\":[\"istio-proxy\",\"hello\"]", pod["metadata"]!["annotations"]!["sidecar.istio.io/status"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Grpc_simple_adds_the_bootstrap_init_container_and_no_proxy()
    {
        var result = Pods.Inject(Pods.Hello(annotations: """{"inject.istio.io/templates": "grpc-simple"}"""));

        Assert.Null(PodJson.Proxy(result.Injected().Pod));
        Assert.NotNull(PodJson.Find(result.Injected().Pod, "initContainers", "grpc-bootstrap-init"));
    }

    [Fact]
    public void Several_templates_merge_in_order()
    {
        var result = Pods.Inject(Pods.Hello(annotations: """{"inject.istio.io/templates": "sidecar,grpc-simple"}"""));

        Assert.NotNull(PodJson.Proxy(result.Injected().Pod));
        Assert.NotNull(PodJson.Find(result.Injected().Pod, "initContainers", "grpc-bootstrap-init"));
        var status = JsonNode.Parse(result.Injected().Pod["metadata"]!["annotations"]!["sidecar.istio.io/status"]!.ToString())!;
        // The template pod merges like the pod: a later template's new containers come before the earlier ones.
        Assert.Equal(["grpc-bootstrap-init", "istio-init", "istio-proxy"], status["initContainers"]!.AsArray().Select(n => n!.ToString()));
    }
}

public sealed class RenderCacheTests
{
    [Fact]
    public void Pods_rendering_the_same_text_get_independent_copies()
    {
        var injector = new PodInjector(TestConfig.Load());
        var first = injector.Inject(new InjectionRequest(Pods.Hello(), "default", InjectionDoor.Webhook, [])).Injected().Pod;
        PodJson.Proxy(first)!["image"] = "tampered";

        var second = injector.Inject(new InjectionRequest(Pods.Hello(), "default", InjectionDoor.Webhook, [])).Injected().Pod;

        Assert.Equal("registry.istio.io/testing/proxyv2:latest", PodJson.Proxy(second)!["image"]!.ToString());
    }

    [Fact]
    public void Large_outputs_are_not_kept()
    {
        var settings = TestConfig.Load();
        var templates = new Templates.TemplateSet(settings.Config with
        {
            Templates = new Dictionary<string, string>(StringComparer.Ordinal) { ["t"] = "metadata:\n  annotations:\n    a: {{ toJSON .a }}\n" },
        }, Templates.InjectorFunctions.Create(settings.Env));

        // An output is kept the second time its text is rendered; a large one never.
        templates.Render("t", new Dictionary<string, object?> { ["a"] = "small" });
        Assert.Equal(0, templates.CachedOutputs);
        templates.Render("t", new Dictionary<string, object?> { ["a"] = "small" });
        Assert.Equal(1, templates.CachedOutputs);
        for (var i = 0; i < 10; i++)
        {
            templates.Render("t", new Dictionary<string, object?> { ["a"] = new string((char)('a' + i), 100_000) });
            templates.Render("t", new Dictionary<string, object?> { ["a"] = new string((char)('a' + i), 100_000) });
        }

        Assert.Equal(1, templates.CachedOutputs);
    }

    /// <summary>
    /// Kept outputs are shared, read only, by every injection that renders the same text: after many injections
    /// (random pods, their re-injection, two templates in native mode, a user's own istio-proxy, the proxy as the only
    /// container) each is still what its text parses to, alone and merged into an empty pod.
    /// </summary>
    [Fact]
    public void Injections_leave_kept_outputs_as_parsed()
    {
        var injector = new PodInjector(TestConfig.Load());
        var pods = Enumerable.Range(1, 60).Select(seed => RandomPods.Build(2, 1, seed)).ToList();
        pods.Add(Pods.Hello(annotations: """{"inject.istio.io/templates": "sidecar,grpc-simple", "sidecar.istio.io/nativeSidecar": "true"}"""));
        pods.Add(Pods.Hello(annotations: """{"inject.istio.io/templates": "sidecar,grpc-agent"}"""));
        pods.Add((JsonObject)JsonNode.Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default"},"spec":{"containers":[{"name":"istio-proxy","image":"mine","env":[{"name":"A","value":"1"}]}]}}""")!);
        pods.Add((JsonObject)JsonNode.Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default"},"spec":{"containers":[{"name":"app","image":"a"},{"name":"istio-proxy","image":"mine","resources":{"limits":{"cpu":"3"}}}]}}""")!);
        var injected = 0;
        for (var round = 0; round < 2; round++)
        {
            foreach (var pod in pods)
            {
                if (injector.Inject(new InjectionRequest((JsonObject)pod.DeepClone(), "default", InjectionDoor.Webhook, [])) is InjectionResult.Injected result)
                {
                    injected++;
                    Assert.IsType<InjectionResult.Injected>(injector.Inject(new InjectionRequest(result.Pod, "default", InjectionDoor.Webhook, [])));
                }
            }
        }

        Assert.True(injected > pods.Count, $"only {injected} injections");
        var kept = injector.Templates.KeptOutputs.ToList();
        Assert.True(kept.Count > 3, $"only {kept.Count} outputs kept");
        foreach (var (text, output) in kept)
        {
            var parsed = (JsonObject)GoYaml.Parse(text)!;
            Assert.True(JsonNode.DeepEquals(parsed, output.Fragment), $"a kept fragment was changed:\n{output.Fragment.ToJsonString()}");
            Assert.True(JsonNode.DeepEquals(StrategicMerge.Apply([], parsed, MergeSchema.Pod), output.Alone), "a kept template pod was changed");
        }
    }
}
