using System.Text.Json.Nodes;
using Injector.Core.Config;
using Injector.Core.Kube;
using Injector.Documents;

namespace Injector.Core.Tests;

/// <summary>The pipeline end to end: what the patch may touch, re-injection, sizes, denials.</summary>
public sealed class PodInjectorTests
{
    [Fact]
    public void Patch_applied_to_the_submitted_pod_gives_the_injected_pod()
    {
        var pod = Pods.Hello();
        var result = Pods.Inject(pod);

        result.Injected();
        result.Injected();
        Assert.True(JsonNode.DeepEquals(result.Injected().Pod, Pods.ApplyPatch(pod, result.Injected().Patch)));
        Assert.Contains(result.Injected().Pod["spec"]!["initContainers"]!.AsArray(), c => c!["name"]!.ToString() == "istio-proxy");
        Assert.Contains(result.Injected().Pod["spec"]!["initContainers"]!.AsArray(), c => c!["name"]!.ToString() == "istio-init");
    }

    [Fact]
    public void Fields_unknown_to_the_models_survive_and_are_never_patched()
    {
        var pod = Pods.Hello();
        pod["spec"]!["futureField"] = new JsonObject { ["nested"] = new JsonArray(1, 2, 3) };
        pod["spec"]!["containers"]![0]!["futureField"] = "kept";
        pod["metadata"]!["futureMeta"] = true;

        var result = Pods.Inject(pod);

        var injected = Pods.ApplyPatch(pod, result.Injected().Patch);
        Assert.True(JsonNode.DeepEquals(pod["spec"]!["futureField"], injected["spec"]!["futureField"]));
        Assert.Equal("kept", injected["spec"]!["containers"]![0]!["futureField"]!.ToString());
        Assert.True(injected["metadata"]!["futureMeta"]!.GetValue<bool>());
        Assert.DoesNotContain(result.Injected().Patch, op => op!["path"]!.ToString().Contains("future", StringComparison.Ordinal));
    }

    [Fact]
    public void Quantities_the_user_wrote_are_not_rewritten()
    {
        var pod = Pods.Hello();
        pod["spec"]!["containers"]![0]!["resources"] = new JsonObject { ["limits"] = new JsonObject { ["cpu"] = "1000m" } };

        var result = Pods.Inject(pod);

        Assert.Equal("1000m", result.Injected().Pod["spec"]!["containers"]!.AsArray().Single(c => c!["name"]!.ToString() == "hello")!["resources"]!["limits"]!["cpu"]!.ToString());
        Assert.DoesNotContain(result.Injected().Patch, op => op!["path"]!.ToString().StartsWith("/spec/containers/0/resources", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Reinjecting_an_injected_pod_changes_nothing(bool native)
    {
        var injector = new PodInjector(TestConfig.Load(nativeSidecars: native));
        var pod = Pods.Hello();
        pod["spec"]!["containers"]![0]!["readinessProbe"] = new JsonObject { ["httpGet"] = new JsonObject { ["port"] = 80 } };
        var first = injector.Inject(new InjectionRequest(pod, "default", InjectionDoor.Webhook, [])).Injected().Pod;

        var second = injector.Inject(new InjectionRequest(first, "default", InjectionDoor.Webhook, []));

        Assert.Empty(second.Injected().Patch);
        Assert.True(JsonNode.DeepEquals(first, second.Injected().Pod));
    }

    [Fact]
    public void A_pod_with_1500_env_vars_injects_and_the_patch_leaves_them_alone()
    {
        var pod = Pods.Hello();
        var env = new JsonArray();
        for (var i = 0; i < 1500; i++)
        {
            env.Add(new JsonObject { ["name"] = $"VAR_{i}", ["value"] = $"value-{i}" });
        }

        pod["spec"]!["containers"]![0]!["env"] = env;

        var result = Pods.Inject(pod);

        result.Injected();
        Assert.DoesNotContain(result.Injected().Patch, op => op!["path"]!.ToString().StartsWith("/spec/containers/0/env", StringComparison.Ordinal));
        Assert.Equal(1500, Pods.ApplyPatch(pod, result.Injected().Patch)["spec"]!["containers"]![0]!["env"]!.AsArray().Count);
    }

    [Fact]
    public void A_64_KB_pod_injects_with_a_patch_the_size_of_the_sidecar()
    {
        var pod = Pods.Hello();
        var annotations = pod["metadata"]!["annotations"]!.AsObject();
        for (var i = 0; i < 64; i++)
        {
            annotations[$"example.com/blob-{i}"] = new string((char)('a' + (i % 26)), 1000);
        }

        Assert.True(pod.ToJsonString().Length > 64 * 1024);

        var result = Pods.Inject(pod);

        Assert.True(JsonNode.DeepEquals(result.Injected().Pod, Pods.ApplyPatch(pod, result.Injected().Patch)));
        Assert.True(result.Injected().Patch.ToJsonString().Length < 16 * 1024, "the patch carries the sidecar, not the pod");
    }

    [Fact]
    public void Invalid_annotations_deny_naming_every_annotation_and_value()
    {
        var pod = Pods.Hello(annotations: """
            {"traffic.sidecar.istio.io/includeOutboundIPRanges": "bad", "traffic.sidecar.istio.io/excludeInboundPorts": "*", "sidecar.istio.io/interceptionMode": "MAGIC"}
            """);

        var result = Pods.Inject(pod);

        result.Denied();

        Assert.Equal("invalid-annotation", result.Denied().Code);
        Assert.Contains("invalid value 'bad' for annotation 'traffic.sidecar.istio.io/includeOutboundIPRanges'", result.Denied().Message, StringComparison.Ordinal);
        Assert.Contains("invalid value '*' for annotation 'traffic.sidecar.istio.io/excludeInboundPorts'", result.Denied().Message, StringComparison.Ordinal);
        Assert.Contains("invalid value 'MAGIC' for annotation 'sidecar.istio.io/interceptionMode'", result.Denied().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_requested_template_denies_with_the_available_ones()
    {
        var result = Pods.Inject(Pods.Hello(annotations: """{"inject.istio.io/templates": "nope"}"""));

        Assert.Equal("requested template \"nope\" not found; have gateway, grpc-agent, grpc-simple, sidecar", result.Denied().Message);
        Assert.Equal("unknown-template", result.Denied().Code);
    }

    [Fact]
    public void A_skipped_pod_gets_no_patch_and_a_named_reason()
    {
        var result = Pods.Inject(Pods.Hello(labels: """{"app": "hello", "sidecar.istio.io/inject": "false"}"""));

        Assert.Equal("label-disabled", result.Skipped().Code);
    }

    [Fact]
    public void Webhook_pods_of_a_deployment_are_attributed_to_the_deployment()
    {
        var pod = Pods.Hello();
        pod["metadata"]!["generateName"] = "hello-7d4f8-";
        pod["metadata"]!["labels"]!["pod-template-hash"] = "7d4f8";
        pod["metadata"]!["ownerReferences"] = JsonNode.Parse("""[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"hello-7d4f8","uid":"u","controller":true}]""");

        var proxy = PodJson.Proxy(Pods.Inject(pod).Injected().Pod)!;

        Assert.Contains(proxy["env"]!.AsArray(), e => e!["name"]!.ToString() == "ISTIO_META_OWNER" && e["value"]!.ToString() == "kubernetes://apis/apps/v1/namespaces/default/deployments/hello");
    }
}

public sealed class QuantityTests
{
    [Theory]
    [InlineData("2000m", "2")]
    [InlineData("1024Mi", "1Gi")]
    [InlineData("1000m", "1")]
    [InlineData("100m", "100m")]
    [InlineData("128Mi", "128Mi")]
    [InlineData("0.5", "500m")]
    [InlineData("1500m", "1500m")]
    [InlineData("1000", "1k")]
    [InlineData("4000m", "4")]
    [InlineData("0", "0")]
    [InlineData("500Mi", "500Mi")]
    [InlineData("1e3", "1e3")]
    public void Canonical_form_matches_kubernetes(string input, string expected) => Assert.Equal(expected, Quantity.Canonicalize(input));

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1Qi")]
    [InlineData("m")]
    public void Non_quantities_are_refused(string input) => Assert.Null(Quantity.Canonicalize(input));
}

public sealed class SettingsLoaderTests
{
    [Fact]
    public void Set_flags_reach_values_mesh_and_cni()
    {
        var settings = TestConfig.Load(sets:
        [
            "values.global.proxy.image=proxyTest",
            "meshConfig.defaultConfig.interceptionMode=TPROXY",
            "components.cni.enabled=true",
            "values.global.proxy.statusPort=0",
        ]);

        Assert.Equal("proxyTest", settings.Values["global"]!["proxy"]!["image"]!.ToString());
        Assert.Equal("TPROXY", settings.Mesh["defaultConfig"]!["interceptionMode"]!.ToString());
        Assert.True(settings.Values["pilot"]!["cni"]!["enabled"]!.GetValue<bool>());
        Assert.Equal(0, settings.Values["global"]!["proxy"]!["statusPort"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("nonsense", "want PATH=VALUE")]
    [InlineData("values..x=1", "empty segment")]
    [InlineData("spec.foo=1", "unknown setting path 'spec.foo'")]
    [InlineData("values.global.hub.x=1", "'global.hub' is not a map")]
    public void Bad_set_flags_name_the_path(string flag, string message)
    {
        var e = Assert.Throws<ConfigException>(() => TestConfig.Load(sets: [flag]));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_document_that_does_not_parse_is_named()
    {
        var e = Assert.Throws<ConfigException>(() => SettingsLoader.Load(new ConfigTexts(ValuesFile: new ConfigText("/etc/x/iop.yaml", "a: [1"))));
        Assert.Contains("/etc/x/iop.yaml", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_values_alias_bomb_is_refused_as_a_configuration_error()
    {
        var bomb = "a0: &a0 [lol]\n" + string.Join("", Enumerable.Range(1, 8).Select(i => $"a{i}: &a{i} [{string.Join(",", Enumerable.Repeat($"*a{i - 1}", 10))}]\n"));
        var e = Assert.Throws<ConfigException>(() => SettingsLoader.Load(new ConfigTexts(DirValues: new ConfigText("/etc/istio/inject/values", bomb))));
        Assert.Contains("/etc/istio/inject/values", e.Message, StringComparison.Ordinal);
        Assert.Contains("excessive aliasing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Helm_style_null_in_an_overlay_removes_the_default()
    {
        var file = Path.Combine(Path.GetTempPath(), $"iop-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, "spec:\n  values:\n    global:\n      proxy:\n        resources:\n          limits:\n            cpu: null\n");
        try
        {
            var settings = TestConfig.Load(valuesFile: file);
            var limits = settings.Values["global"]!["proxy"]!["resources"]!["limits"]!.AsObject();
            Assert.False(limits.ContainsKey("cpu"));
            Assert.Equal("1024Mi", limits["memory"]!.ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void The_embedded_sidecar_template_renders_valid_yaml()
    {
        var injector = new PodInjector(TestConfig.Load());
        Assert.Empty(injector.BrokenTemplates);
        Assert.NotNull(GoYaml.Write(Pods.Inject(Pods.Hello()).Injected().Pod));
    }
}

public sealed class UserOverrideTests
{
    private static JsonObject PodWithOwnProxy()
    {
        var pod = Pods.Hello();
        pod["spec"]!["containers"]!.AsArray().Add(JsonNode.Parse("""
            {"name": "istio-proxy", "image": "auto", "args": ["custom"], "securityContext": {"runAsUser": 1234}, "resources": {"limits": {"cpu": "3000m"}}}
            """));
        return pod;
    }

    [Fact]
    public void The_users_own_proxy_fields_win_and_are_recorded()
    {
        var result = Pods.Inject(PodWithOwnProxy());

        var proxy = PodJson.Proxy(result.Injected().Pod)!;
        Assert.Equal("custom", Assert.Single(proxy["args"]!.AsArray())!.ToString());
        Assert.Equal(1234, proxy["securityContext"]!["runAsUser"]!.GetValue<long>());
        Assert.Equal("3", proxy["resources"]!["limits"]!["cpu"]!.ToString());
        Assert.StartsWith("registry.istio.io/testing/proxyv2", proxy["image"]!.ToString(), StringComparison.Ordinal);
        var init = PodJson.Find(result.Injected().Pod, "initContainers", "istio-init")!;
        var args = init["args"]!.AsArray().Select(a => a!.ToString()).ToList();
        Assert.Equal("1234", args[args.IndexOf("-u") + 1]);
        Assert.Equal(
            """{"initContainers":[{"name":"istio-proxy","args":["custom"],"resources":{"limits":{"cpu":"3"}},"securityContext":{"runAsUser":1234}}]}""",
            result.Injected().Pod["metadata"]!["annotations"]!["proxy.istio.io/overrides"]!.ToString());
    }

    [Fact]
    public void Reinjecting_a_pod_with_overrides_changes_nothing()
    {
        var first = Pods.Inject(PodWithOwnProxy()).Injected().Pod;

        var second = Pods.Inject(first);

        Assert.Empty(second.Injected().Patch);
    }

    [Fact]
    public void A_malformed_overrides_annotation_denies_the_pod()
    {
        var result = Pods.Inject(Pods.Hello(annotations: """{"proxy.istio.io/overrides": "{not json"}"""));

        result.Denied();
        Assert.Contains("proxy.istio.io/overrides", result.Denied().Message, StringComparison.Ordinal);
    }
}
