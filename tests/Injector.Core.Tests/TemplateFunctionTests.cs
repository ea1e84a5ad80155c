using Injector.Core.Workloads;

namespace Injector.Core.Tests;

/// <summary>Every Istio template function of spec §6.2, with istiod's semantics, through the real pipeline.</summary>
public sealed class TemplateFunctionTests
{
    private const string MetadataAnnotated = """{"proxy.istio.io/config": "proxyMetadata: {B: '2', A: '<é&\\u2028>', C: null}\nconcurrency: 2\nholdApplicationUntilProxyStarts: true\ndrainDuration: 45s\nextraStatTags: [a]"}""";

    private const string Annotated = """{"a": "b", "proxy.istio.io/config": "concurrency: 4\nimage: {imageType: distroless}"}""";

    [Theory]
    [InlineData("{{ formatDuration \"90s\" }} {{ formatDuration .ProxyConfig.DrainDuration }} {{ formatDuration .ProxyConfig.ParentShutdownDuration }}", "{}", "1m30s 45s 0s")]
    [InlineData("{{ isset .ObjectMeta.Annotations \"a\" }} {{ isset .ObjectMeta.Annotations \"zz\" }}", Annotated, "true false")]
    [InlineData("{{ excludeInboundPort 15020 \"80,8080\" }} {{ excludeInboundPort \"80\" \"80,8080\" }} {{ excludeInboundPort 0 \"1\" }}", "{}", "80,8080,15020 80,8080 1")]
    [InlineData("{{ includeInboundPorts .Spec.Containers }}", "{}", "80,9090")]
    [InlineData("{{ applicationPorts .Spec.Containers }}", "{}", "80,9090")]
    [InlineData("{{ kubevirtInterfaces \"eth1,eth2\" }} {{ excludeInterfaces \"eth3\" }}", "{}", "eth1,eth2 eth3")]
    [InlineData("{{ annotation .ObjectMeta \"a\" \"d\" }} {{ annotation .ObjectMeta \"zz\" \"d\" }} {{ annotation .ObjectMeta \"zz\" 15020 }}", Annotated, "b d 15020")]
    [InlineData("{{ annotation .ObjectMeta \"zz\" nil }} {{ annotation .ObjectMeta \"zz\" .ProxyConfig.InterceptionMode }} {{ annotation .ObjectMeta \"zz\" true }}", "{}", "<nil> REDIRECT true")]
    [InlineData("{{ valueOrDefault \"\" \"d\" }} {{ valueOrDefault \"x\" \"d\" }} {{ valueOrDefault false \"d\" }} {{ valueOrDefault .Values.nothing \"d\" }}", "{}", "d x false d")]
    [InlineData("{{ toJSON .ObjectMeta.Labels }} {{ toJSON nil }} {{ toJSON \"<a>\" }} {{ toJson .ProxyConfig.Image }}", Annotated, "{\"app\":\"hello\"} {} \"\\u003ca\\u003e\" {\"imageType\":\"distroless\"}")]
    [InlineData("{{ (fromJSON \"{\\\"a\\\":[1,2]}\").a }}", "{}", "[1 2]")]
    [InlineData("{{ structToJSON (index (index .Spec.Containers 0).Ports 0) }} {{ structToJSON nil }}", "{}", "{\"name\":\"http\",\"containerPort\":80,\"protocol\":\"TCP\"} {}")]
    [InlineData("{{ protoToJSON .ProxyConfig }}", "{}", "{}")]
    [InlineData("{{ protoToJSON .ProxyConfig }}", Annotated, "{\"concurrency\":4,\"image\":{\"imageType\":\"distroless\"}}")]
    [InlineData("{{ protoToJSON .ProxyConfig }}", MetadataAnnotated, "{\"proxyMetadata\":{\"A\":\"<é&\\\\u2028>\",\"B\":\"2\",\"C\":null},\"extraStatTags\":[\"a\"],\"holdApplicationUntilProxyStarts\":true}")]
    [InlineData("{{ toYaml (dict \"b\" (list \"x\") \"a\" 1) | indent 6 }}", "{}", "a: 1\nb:\n- x")]
    [InlineData("{{ indent 8 \"x\\ny\" }}", "{}", "x\n  y")]
    [InlineData("{{ directory \"/etc/certs/root.pem\" }} [{{ directory \"root.pem\" }}]", "{}", "/etc/certs/ []")]
    [InlineData("{{ contains \"b\" \"abc\" }} {{ \"abc\" | contains \"z\" }}", "{}", "true false")]
    [InlineData("{{ toLower \"ABC\" }}", "{}", "abc")]
    [InlineData("{{ appendMultusNetwork \"\" \"istio-cni\" }} {{ appendMultusNetwork \"istio-cni\" \"istio-cni\" }}", "{}", "istio-cni istio-cni")]
    [InlineData("{{ env \"MY_ENV\" \"d\" }} {{ env \"NOT_SET\" \"d\" }}", "{}", "from-istiod d")]
    [InlineData("{{ omit (dict \"a\" 1 \"b\" 2) \"a\" }}", "{}", "map[b:2]")]
    [InlineData("{{ strdict \"a\" \"b\" \"c\" }}", "{}", "map[a:b c:]")]
    [InlineData("{{ toJsonMap (strdict \"b\" \"2\") (strdict \"a\" \"1\") }}", "{}", "{\"a\":\"1\",\"b\":\"2\"}")]
    [InlineData("{{ mergeMaps (strdict \"a\" \"1\") (strdict \"a\" \"2\" \"b\" \"3\") }}", "{}", "map[a:2 b:3]")]
    [InlineData("{{ omitNil (dict \"a\" nil \"b\" 1) }}", "{}", "map[b:1]")]
    [InlineData("[{{ otelResourceAttributes .MeshConfig .ObjectMeta .Spec }}]", "{}", "[]")]
    public void Function_behaves_as_in_istiod(string expression, string annotations, string expected)
    {
        Assert.Equal(expected, TemplateDataProbe.Render(expression, annotations));
    }

    /// <summary>Istio's appendMultusNetwork: the user's text kept byte for byte, both argument forms, name and namespace matched.</summary>
    [Theory]
    [InlineData("", "default/istio-cni", "default/istio-cni")]
    [InlineData("alt_cni", "default/istio-cni", "alt_cni, default/istio-cni")]
    [InlineData("  alt_cni ,b ", "default/istio-cni", "  alt_cni ,b , default/istio-cni")]
    [InlineData("alt_cni, default/istio-cni", "default/istio-cni", "alt_cni, default/istio-cni")]
    [InlineData("alt_cni,  default/istio-cni ", "default/istio-cni", "alt_cni,  default/istio-cni ")]
    [InlineData("istio-cni", "default/istio-cni", "istio-cni, default/istio-cni")]
    [InlineData("kube-system/istio-cni", "default/istio-cni", "kube-system/istio-cni, default/istio-cni")]
    [InlineData("alt_cni", "istio-cni", "alt_cni, istio-cni")]
    [InlineData("[{\"name\": \"alt_cni\"}]", "default/istio-cni", "[{\"name\": \"alt_cni\"}, {\"name\": \"istio-cni\", \"namespace\": \"default\"}]")]
    [InlineData("[ {\"name\":\"a\"} ]\n", "default/istio-cni", "[ {\"name\":\"a\"} , {\"name\": \"istio-cni\", \"namespace\": \"default\"}]\n")]
    [InlineData("[{\"name\": \"istio-cni\", \"namespace\": \"default\"}]", "default/istio-cni", "[{\"name\": \"istio-cni\", \"namespace\": \"default\"}]")]
    [InlineData("[{\"name\": \"istio-cni\"}]", "default/istio-cni", "[{\"name\": \"istio-cni\"}, {\"name\": \"istio-cni\", \"namespace\": \"default\"}]")]
    [InlineData("[{\"name\": \"istio-cni\", \"namespace\": \"other\"}]", "default/istio-cni", "[{\"name\": \"istio-cni\", \"namespace\": \"other\"}, {\"name\": \"istio-cni\", \"namespace\": \"default\"}]")]
    [InlineData("[{\"name\": \"alt_cni\"}]", "istio-cni", "[{\"name\": \"alt_cni\"}, {\"name\": \"istio-cni\"}]")]
    [InlineData("[{\"name\": \"istio-cni\"}]", "istio-cni", "[{\"name\": \"istio-cni\"}]")]
    [InlineData("[{\"name\": \"alt_cni\"},]", "default/istio-cni", "[{\"name\": \"alt_cni\"},]")]
    [InlineData("[\"alt_cni\"]", "default/istio-cni", "[\"alt_cni\"]")]
    [InlineData("not] json", "default/istio-cni", "not] json")]
    // Istio writes "[, {…}]" here, which no parser reads: the element goes in alone (a deliberate deviation).
    [InlineData("[]", "default/istio-cni", "[{\"name\": \"istio-cni\", \"namespace\": \"default\"}]")]
    public void Multus_networks_are_appended_as_istiod_does(string existing, string network, string expected)
    {
        Assert.Equal(expected, Injector.Core.Templates.MultusNetworks.Append(existing, network));
    }

    [Fact]
    public void Unknown_function_denies_the_pod_with_the_template_and_line()
    {
        var injector = TemplateDataProbe.Injector("metadata:\n  labels:\n    x: {{ nosuch 1 }}\n");

        var result = injector.Inject(new InjectionRequest(TemplateDataProbe.Pod(), "default", InjectionDoor.Webhook, []));

        Assert.Contains("template: probe:3: function \"nosuch\" not defined", result.Denied().Message, StringComparison.Ordinal);
        Assert.Contains("template: probe:3: function \"nosuch\" not defined", injector.BrokenTemplates["probe"], StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_function_in_a_config_file_fails_the_cli_door()
    {
        using var dir = new TempDir();
        var config = dir.Write("config", "defaultTemplates: [broken]\ntemplates:\n  broken: |\n    spec:\n      x: {{ nosuch }}\n");
        var injector = new PodInjector(TestConfig.Load(injectConfigFile: config));

        var result = KubeInject.Run("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: c\n", injector);

        Assert.Null(result.Output);
        Assert.Equal("template-failed", result.Denial?.Code);
        Assert.Contains("template: broken:2: function \"nosuch\" not defined", result.Denial?.Message, StringComparison.Ordinal);
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("injector-tf-").FullName;

        public string Write(string name, string text)
        {
            var file = System.IO.Path.Combine(Path, name);
            File.WriteAllText(file, text);
            return file;
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
