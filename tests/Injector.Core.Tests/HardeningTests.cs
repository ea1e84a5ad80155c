using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Injector.Core.Kube;
using Injector.Core.Workloads;

namespace Injector.Core.Tests;

/// <summary>
/// The inputs that used to kill, exhaust or stall the injector, each now a named denial within a second, and the
/// pods that used to come out invalid.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class HardeningTests
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(1);

    /// <summary>The first injection of a process compiles the pipeline (a few hundred ms); timings are of later ones.</summary>
    static HardeningTests() => Pods.Inject(Pods.Hello()).Injected();

    public static TheoryData<string, string, string> HostileProxyConfigs() => new()
    {
        { "20,000 nested flow maps", Nested("{a: ", "}", 20_000), "nests deeper than the limit of 64 levels" },
        { "50,000 nested flow sequences", Nested("[", "]", 50_000), "nests deeper than the limit of 64 levels" },
        { "alias bomb, 7 levels of 10", Bomb(7), "excessive aliasing" },
        { "alias bomb, 9 levels of 10", Bomb(9), "excessive aliasing" },
        { "30,000 list items", "proxyMetadata: [" + string.Join(",", Enumerable.Repeat("1", 30_000)) + "]", "more than the limit of 20000 nodes" },
    };

    [Theory]
    [MemberData(nameof(HostileProxyConfigs))]
    public void A_hostile_proxy_config_annotation_is_denied_quickly_naming_the_annotation_and_the_limit(string what, string value, string limit)
    {
        var pod = Pods.Hello(annotations: new JsonObject { ["proxy.istio.io/config"] = value }.ToJsonString());
        var watch = Stopwatch.StartNew();

        var denied = Pods.Inject(pod).Denied();

        Assert.True(watch.Elapsed < Quick, $"{what}: took {watch.Elapsed}");
        Assert.Equal("invalid-annotation", denied.Code);
        Assert.Contains("for annotation 'proxy.istio.io/config'", denied.Message, StringComparison.Ordinal);
        Assert.Contains(limit, denied.Message, StringComparison.Ordinal);
        Assert.True(denied.Message.Length < 1024, $"the denial echoes the value: {denied.Message.Length} characters");
    }

    [Fact]
    public void Annotations_past_kubernetes_limit_and_overlong_labels_are_refused()
    {
        var annotations = Pods.Inject(Pods.Hello(annotations: new JsonObject { ["example.com/a"] = new string('x', 150 * 1024), ["example.com/b"] = new string('y', 150 * 1024) }.ToJsonString())).Denied();
        Assert.Equal("limit-exceeded", annotations.Code);
        Assert.StartsWith("the pod's annotations hold 307226 bytes, more than Kubernetes' limit of 262144", annotations.Message, StringComparison.Ordinal);

        var labels = Pods.Inject(Pods.Hello(labels: new JsonObject { ["app"] = new string('a', 64) }.ToJsonString())).Denied();
        Assert.Equal("limit-exceeded", labels.Code);
        Assert.Equal("label 'app' is longer than Kubernetes allows (a value at most 63 characters)", labels.Message);
    }

    [Fact]
    public void Sixty_kilobytes_of_shallow_flow_maps_inject_quickly()
    {
        var config = "proxyMetadata: {" + string.Join(", ", Enumerable.Range(0, 3_000).Select(i => $"K{i}: v{i}")) + "}";
        var watch = Stopwatch.StartNew();

        Pods.Inject(Pods.Hello(annotations: new JsonObject { ["proxy.istio.io/config"] = config }.ToJsonString())).Injected();

        Assert.True(watch.Elapsed < Quick, $"took {watch.Elapsed}");
    }

    [Fact]
    public void Status_port_zero_with_probes_to_rewrite_is_denied_with_the_fix()
    {
        var pod = Pods.Hello(annotations: """{"status.sidecar.istio.io/port": "0"}""");
        pod["spec"]!["containers"]![0]!["readinessProbe"] = new JsonObject { ["httpGet"] = new JsonObject { ["path"] = "/ready", ["port"] = 80 } };

        var denied = Pods.Inject(pod).Denied();

        Assert.Equal("invalid-annotation", denied.Code);
        Assert.Contains("annotation 'status.sidecar.istio.io/port' value '0' turns the agent's status server off", denied.Message, StringComparison.Ordinal);
        Assert.Contains("sidecar.istio.io/rewriteAppHTTPProbers", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_port_zero_without_probes_injects()
    {
        Pods.Inject(Pods.Hello(annotations: """{"status.sidecar.istio.io/port": "0"}""")).Injected();
    }

    [Theory]
    [InlineData("configMap")]
    [InlineData("emptyDir")]
    public void A_user_volume_named_like_an_injected_one_is_denied_instead_of_merged(string source)
    {
        // Merged, a configMap gives a volume with two sources; an emptyDir's own fields would be lost on re-injection.
        var pod = Pods.Hello();
        pod["spec"]!["volumes"] = new JsonArray(new JsonObject { ["name"] = "istio-envoy", [source] = new JsonObject { ["medium"] = "Memory" } });

        var denied = Pods.Inject(pod).Denied();

        Assert.Equal("invalid-result", denied.Code);
        Assert.Contains("the pod's volume(s) 'istio-envoy' have the name of a volume the injector adds", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overrides_of_the_wrong_type_are_denied_instead_of_producing_an_invalid_pod()
    {
        var pod = Pods.Hello(annotations: """{"proxy.istio.io/overrides": "{\"containers\":[{\"name\":\"istio-proxy\",\"ports\":[{\"containerPort\":\"x\"}]}]}"}""");

        var denied = Pods.Inject(pod).Denied();

        Assert.Equal("invalid-result", denied.Code);
        Assert.Contains("containerPort: want a 32-bit integer, got the string \"x\"", denied.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sidecar.istio.io/status", "{\"containers\":[],\"containers\":[]}")]
    [InlineData("proxy.istio.io/overrides", "{\"containers\":[],\"containers\":[]}")]
    [InlineData("sidecar.istio.io/proxyCPU", "9223372036854775807Ei")]
    [InlineData("sidecar.istio.io/proxyCPU", "8Ei")]
    [InlineData("sidecar.istio.io/proxyMemoryLimit", "100Ei")]
    public void Values_that_used_to_raise_internal_errors_are_ordinary_answers(string annotation, string value)
    {
        var result = Pods.Inject(Pods.Hello(annotations: new JsonObject { [annotation] = value }.ToJsonString()));

        Assert.NotEqual("internal-error", result.Code);
        if (result is InjectionResult.Denied denied)
        {
            Assert.Contains(annotation, denied.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("""{"spec":{"containers":[]}}""")]
    [InlineData("{}")]
    public void An_overrides_annotation_that_records_nothing_is_written_over_so_reinjection_keeps_the_override(string annotation)
    {
        var pod = Pods.Hello(annotations: new JsonObject { ["proxy.istio.io/overrides"] = annotation }.ToJsonString());
        pod["spec"]!["containers"]!.AsArray().Add(new JsonObject { ["name"] = "istio-proxy", ["image"] = "registry.example.com/my-proxy:1" });

        var first = Pods.Inject(pod).Injected();
        var second = Pods.Inject((JsonObject)first.Pod.DeepClone()).Injected();

        Assert.Equal("registry.example.com/my-proxy:1", PodJson.Proxy(first.Pod)!["image"]!.GetValue<string>());
        Assert.True(second.Patch.Count == 0, second.Patch.ToJsonString());
    }

    /// <summary>A map key in a shape problem's path is quoted as JSON writes it, plain keys and escaped ones alike.</summary>
    [Theory]
    [InlineData("app.kubernetes.io/name")]
    [InlineData("team: a@b c_d-9")]
    [InlineData("a\"quote")]
    [InlineData("<html>&'+`")]
    [InlineData("héllo\u2028")]
    public void A_shape_problem_names_the_map_key_as_json_quotes_it(string key)
    {
        var pod = Pods.Hello();
        pod["metadata"]!["labels"]![key] = 5;

        var problem = PodShape.Check(pod);

        Assert.Equal($"metadata.labels[{JsonValue.Create(key).ToJsonString()}]: want a string, got the number 5", problem);
    }

    [Theory]
    [InlineData("no containers", "spec.containers is empty")]
    [InlineData("a container name twice", "container name 'hello' is used twice (in containers and containers)")]
    [InlineData("a mount without a volume", "container 'hello' mounts volume 'nowhere', which the pod does not have")]
    public void An_invalid_pod_is_denied_before_anything_is_built_on_it(string what, string expected)
    {
        var pod = Pods.Hello();
        var containers = pod["spec"]!["containers"]!.AsArray();
        switch (what)
        {
            case "no containers":
                containers.Clear();
                break;
            case "a container name twice":
                containers.Add(containers[0]!.DeepClone());
                break;
            default:
                containers[0]!["volumeMounts"] = new JsonArray(new JsonObject { ["name"] = "nowhere", ["mountPath"] = "/x" });
                break;
        }

        var denied = Pods.Inject(pod).Denied();

        Assert.Equal("invalid-pod", denied.Code);
        Assert.StartsWith($"invalid pod: {expected}", denied.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_template_that_rewrites_app_containers_reinjects_to_nothing(bool resources)
    {
        // grpc-simple adds env to the app container, so the app container is recorded as an override (with resources: {}).
        var pod = Pods.Hello(annotations: """{"inject.istio.io/templates": "grpc-simple"}""");
        if (resources)
        {
            pod["spec"]!["containers"]![0]!["resources"] = new JsonObject();
        }

        var first = Pods.Inject(pod).Injected();
        var second = Pods.Inject((JsonObject)first.Pod.DeepClone()).Injected();

        Assert.True(second.Patch.Count == 0, second.Patch.ToJsonString());
    }

    [Fact]
    public void A_status_annotation_naming_the_app_container_is_denied_instead_of_deleting_it()
    {
        var pod = Pods.Hello(annotations: """{"sidecar.istio.io/status": "{\"containers\":[\"hello\"]}"}""");

        var denied = Pods.Inject(pod).Denied();

        Assert.Equal("invalid-annotation", denied.Code);
        Assert.Contains("'sidecar.istio.io/status' lists container(s) 'hello', which the injector does not add", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_user_container_named_istio_init_is_denied()
    {
        var pod = Pods.Hello();
        pod["spec"]!["containers"]!.AsArray().Add(new JsonObject { ["name"] = "istio-init", ["image"] = "mine" });

        var result = Pods.Inject(pod);

        Assert.Equal("invalid-result", result.Denied().Code);
        Assert.Contains("container name 'istio-init' is used twice", result.Denied().Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"metadata": "x", "spec": {"containers": []}}""", "metadata: want a map, got the string \"x\"")]
    [InlineData("""{"metadata": {"annotations": {"prometheus.io/port": 8080}}, "spec": {"containers": [{"name": "a"}]}}""", "metadata.annotations[\"prometheus.io/port\"]: want a string, got the number 8080")]
    [InlineData("""{"spec": {"containers": {"name": "a"}}}""", "spec.containers: want a list, got a map")]
    [InlineData("""{"spec": {"containers": [{"name": "a", "ports": [{"containerPort": "http"}]}]}}""", "spec.containers[0].ports[0].containerPort: want a 32-bit integer, got the string \"http\"")]
    [InlineData("""{"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 1.5}]}]}}""", "containerPort: want a 32-bit integer, got the number 1.5")]
    [InlineData("""{"spec": {"containers": [{"name": "a", "resources": {"limits": {"cpu": "lots"}}}]}}""", "spec.containers[0].resources.limits[\"cpu\"]: want a resource quantity")]
    [InlineData("""{"spec": {"hostNetwork": "yes", "containers": [{"name": "a"}]}}""", "spec.hostNetwork: want a boolean")]
    public void A_pod_of_the_wrong_shape_is_denied_naming_the_field(string json, string expected)
    {
        var denied = Pods.Inject((JsonObject)JsonNode.Parse(json)!).Denied();

        Assert.Equal("invalid-pod", denied.Code);
        Assert.Contains(expected, denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_thousand_containers_and_volumes_inject_quickly_reinject_to_nothing_and_more_are_refused()
    {
        var pod = Pods.Hello();
        pod["spec"]!["containers"] = new JsonArray([.. Enumerable.Range(0, 1_000).Select(i => (JsonNode)new JsonObject { ["name"] = $"c{i}", ["image"] = "i", ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 2000 + i }) })]);
        var watch = Stopwatch.StartNew();

        Pods.Inject(pod).Injected();

        Assert.True(watch.Elapsed < Quick, $"took {watch.Elapsed}");
        pod["spec"]!["volumes"] = new JsonArray([.. Enumerable.Range(0, 1_000).Select(i => (JsonNode)new JsonObject { ["name"] = $"v{i}", ["emptyDir"] = new JsonObject() })]);
        var injected = Pods.Inject(pod).Injected();
        Assert.Empty(Pods.Inject((JsonObject)injected.Pod.DeepClone()).Injected().Patch);
        pod["spec"]!["containers"]!.AsArray().Add(new JsonObject { ["name"] = "one-more", ["image"] = "i" });
        var denied = Pods.Inject(pod).Denied();
        Assert.Equal("limit-exceeded", denied.Code);
        Assert.Equal("the pod has 1001 containers (containers, initContainers and ephemeralContainers together), more than the limit of 1000", denied.Message);
    }

    [Fact]
    public void A_pod_past_the_value_budget_is_refused_quickly()
    {
        var pod = Pods.Hello();
        pod["spec"]!["containers"]![0]!["env"] = new JsonArray([.. Enumerable.Range(0, 8_000).Select(i => (JsonNode)new JsonObject { ["name"] = $"V{i}", ["value"] = "v" })]);
        var watch = Stopwatch.StartNew();

        var denied = Pods.Inject(pod).Denied();

        Assert.True(watch.Elapsed < Quick, $"took {watch.Elapsed}");
        Assert.Equal("limit-exceeded", denied.Code);
        Assert.Equal("the pod holds more than 20000 JSON values (maps, lists and scalars), the limit", denied.Message);
    }

    [Fact]
    public void A_string_longer_than_linux_passes_is_refused()
    {
        var pod = Pods.Hello();
        pod["spec"]!["containers"]![0]!["image"] = "nginx:" + new string('a', 300_000);

        var denied = Pods.Inject((JsonObject)JsonNode.Parse(pod.ToJsonString())!).Denied();

        Assert.Equal("limit-exceeded", denied.Code);
        Assert.StartsWith("the pod holds a string of 300006 bytes, more than the limit of 262144", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_fields_are_not_checked()
    {
        var pod = Pods.Hello();
        pod["spec"]!["futureField"] = 42;
        pod["spec"]!["containers"]![0]!["futureField"] = new JsonArray("x");

        Pods.Inject(pod).Injected();
    }

    [Fact]
    public void The_deadline_stops_a_render_that_would_run_for_minutes()
    {
        // A billion loop iterations and no output: only cancellation ends it.
        var injector = TemplateDataProbe.Injector("{{ range until 1000 }}{{ range until 1000 }}{{ range until 1000 }}{{ end }}{{ end }}{{ end }}metadata: {}\n");
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();

        var denied = injector.Inject(new InjectionRequest(TemplateDataProbe.Pod(), "default", InjectionDoor.Webhook, []), deadline.Token).Denied();

        Assert.Equal("deadline-exceeded", denied.Code);
        Assert.True(watch.Elapsed < Quick, $"took {watch.Elapsed}");
    }

    [Fact]
    public void A_recursive_template_is_denied_without_overflowing_the_stack()
    {
        var injector = TemplateDataProbe.Injector("{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}metadata: {}\n");

        var denied = injector.Inject(new InjectionRequest(TemplateDataProbe.Pod(), "default", InjectionDoor.Webhook, [])).Denied();

        Assert.Equal("template-failed", denied.Code);
        Assert.Contains("exceeded maximum template depth (1000)", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_template_that_writes_without_end_is_cut_off()
    {
        var injector = TemplateDataProbe.Injector("{{ range until 1000000 }}{{ range until 1000 }}xxxxxxxxxxxxxxxx{{ end }}{{ end }}");

        var denied = injector.Inject(new InjectionRequest(TemplateDataProbe.Pod(), "default", InjectionDoor.Webhook, [])).Denied();

        Assert.Equal("template-failed", denied.Code);
        Assert.Contains("larger than the limit of 16777216 characters", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_template_nesting_past_the_parser_limit_is_a_broken_template()
    {
        var text = string.Concat(Enumerable.Repeat("{{ if true }}", 300)) + string.Concat(Enumerable.Repeat("{{ end }}", 300));

        var injector = TemplateDataProbe.Injector(text);

        Assert.Contains("nesting deeper than 200 levels", injector.BrokenTemplates[TemplateDataProbe.ProbeTemplate], StringComparison.Ordinal);
    }

    [Fact]
    public void A_deeply_nested_cli_document_is_a_denial_not_a_crash()
    {
        var result = KubeInject.Run("apiVersion: v1\nkind: Pod\nmetadata:\n  labels: " + Nested("{a: ", "}", 50_000) + "\n", Pods.Injector);

        Assert.Null(result.Output);
        Assert.Equal("invalid-document", result.Denial?.Code);
        Assert.Contains("nests deeper than the limit of 256 levels", result.Denial?.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("apiVersion: apps/v1\nkind: Deployment\nmetadata: x\n", "metadata: want a map")]
    [InlineData("apiVersion: apps/v1\nkind: Deployment\nspec:\n  template: [1]\n", "spec.template: want a map")]
    [InlineData("apiVersion: v1\nkind: List\nitems: {}\n", "items: want a list")]
    public void A_workload_of_the_wrong_shape_is_a_denial_naming_the_field(string yaml, string expected)
    {
        var result = KubeInject.Run(yaml, Pods.Injector);

        Assert.Equal("invalid-document", result.Denial?.Code);
        Assert.Contains(expected, result.Denial?.Message, StringComparison.Ordinal);
    }

    private static string Nested(string open, string close, int levels)
    {
        var text = new StringBuilder(levels * (open.Length + close.Length) + 1);
        for (var i = 0; i < levels; i++)
        {
            text.Append(open);
        }

        text.Append('1');
        for (var i = 0; i < levels; i++)
        {
            text.Append(close);
        }

        return text.ToString();
    }

    /// <summary>Billion laughs: each level is a list of ten aliases of the level before (320 bytes at 7 levels).</summary>
    private static string Bomb(int levels)
    {
        var text = new StringBuilder("a0: &a0 [lol]\n");
        for (var i = 1; i <= levels; i++)
        {
            text.Append($"a{i}: &a{i} [").Append(string.Join(",", Enumerable.Repeat($"*a{i - 1}", 10))).Append("]\n");
        }

        return text.ToString();
    }
}
