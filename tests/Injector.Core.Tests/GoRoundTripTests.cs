using System.Text;
using System.Text.Json.Nodes;
using Injector.Core.Config;
using Injector.Core.Kube;

namespace Injector.Core.Tests;

/// <summary>
/// Go's encoding/json round trip through corev1 types (the worked examples of ../shared/k8s/README.md), and that the
/// injector applies it to what the templates wrote and to nothing the user wrote.
/// </summary>
public sealed class GoRoundTripTests
{
    [Theory]
    [InlineData("""{"name":"a","readinessProbe":{"initialDelaySeconds":0,"periodSeconds":5}}""", """{"name":"a","readinessProbe":{"periodSeconds":5},"resources":{}}""")]
    [InlineData("""{"name":"a","securityContext":{"runAsUser":0,"privileged":null}}""", """{"name":"a","securityContext":{"runAsUser":0},"resources":{}}""")]
    [InlineData("""{"name":"a","env":[{"name":"A","value":""},{"name":"B","value":"b"}]}""", """{"name":"a","env":[{"name":"A"},{"name":"B","value":"b"}],"resources":{}}""")]
    [InlineData("""{"name":"a","resources":{"limits":{}}}""", """{"name":"a","resources":{}}""")]
    [InlineData("""{"name":"a","ports":[{"containerPort":80,"protocol":""}]}""", """{"name":"a","ports":[{"containerPort":80}],"resources":{}}""")]
    [InlineData("""{"name":"a","resources":{"limits":{"cpu":"2000m","memory":"1024Mi"}}}""", """{"name":"a","resources":{"limits":{"cpu":"2","memory":"1Gi"}}}""")]
    [InlineData("""{"name":null}""", """{"name":"","resources":{}}""")]
    [InlineData("""{"name":"a","args":[],"command":null,"tty":false,"stdin":true}""", """{"name":"a","stdin":true,"resources":{}}""")]
    [InlineData("""{"name":"a","env":[{"name":"C","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu"}}}]}""", """{"name":"a","env":[{"name":"C","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu","divisor":"0"}}}],"resources":{}}""")]
    [InlineData("""{"name":"a","futureField":0,"readinessProbe":{"futureToo":""}}""", """{"name":"a","futureField":0,"readinessProbe":{"futureToo":""},"resources":{}}""")]
    [InlineData("""{"name":"a","readinessProbe":{"initialDelaySeconds":"0"}}""", """{"name":"a","readinessProbe":{"initialDelaySeconds":"0"},"resources":{}}""")]
    public void A_container_is_written_as_Go_writes_corev1_Container(string input, string expected)
    {
        var container = JsonNode.Parse(input)!.AsObject();

        GoRoundTrip.Struct(container, "Container");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), container), container.ToJsonString());
    }

    [Theory]
    [InlineData("""{"name":"v","emptyDir":{}}""", """{"name":"v","emptyDir":{}}""")]
    [InlineData("""{"name":"v","emptyDir":{"sizeLimit":"1024Mi","medium":""}}""", """{"name":"v","emptyDir":{"sizeLimit":"1Gi"}}""")]
    [InlineData("""{"name":"v","secret":{"secretName":"s","optional":false}}""", """{"name":"v","secret":{"secretName":"s","optional":false}}""")]
    public void A_volume_is_written_as_Go_writes_corev1_Volume(string input, string expected)
    {
        var volume = JsonNode.Parse(input)!.AsObject();

        GoRoundTrip.Struct(volume, "Volume");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), volume), volume.ToJsonString());
    }

    private const string Config = """
        policy: enabled
        defaultTemplates: [extra]
        templates:
          extra: |
            spec:
              containers:
              - name: helper
                image: helper:1
                env:
                - name: EMPTY
                  value: ""
                readinessProbe:
                  initialDelaySeconds: 0
                  periodSeconds: 3
                  tcpSocket:
                    port: 8080
        """;

    [Fact]
    public void Zero_values_the_templates_wrote_are_dropped_and_the_users_are_kept()
    {
        var injector = new PodInjector(SettingsLoader.Load(new ConfigTexts(InjectConfig: new ConfigText("config", Config))));
        var pod = Pods.Hello();
        pod["spec"]!["containers"]![0]!["readinessProbe"] = new JsonObject { ["initialDelaySeconds"] = 0, ["tcpSocket"] = new JsonObject { ["port"] = 80 } };
        pod["spec"]!["containers"]![0]!["env"] = new JsonArray(new JsonObject { ["name"] = "MINE", ["value"] = "" });

        var injected = Pods.ApplyPatch(pod, injector.Inject(new InjectionRequest(pod, "default", InjectionDoor.Webhook, [])).Injected().Patch);

        var helper = PodJson.Find(injected, "containers", "helper")!;
        Assert.False(helper["readinessProbe"]!.AsObject().ContainsKey("initialDelaySeconds"));
        Assert.False(helper["env"]![0]!.AsObject().ContainsKey("value"));
        Assert.Equal("{}", helper["resources"]!.ToJsonString());
        var app = PodJson.Find(injected, "containers", "hello")!;
        Assert.Equal(0, app["readinessProbe"]!["initialDelaySeconds"]!.GetValue<int>());
        Assert.Equal("", app["env"]![0]!["value"]!.GetValue<string>());
        Assert.Null(app["resources"]);
    }

    private const string ListsConfig = """
        policy: enabled
        defaultTemplates: [extra]
        templates:
          extra: |
            spec:
              initContainers:
              - name: helper-init
                image: helper:1
                args: []
                env:
                - name: EMPTY
                  value: ""
                readinessProbe:
                  initialDelaySeconds: 0
                  periodSeconds: 3
                  tcpSocket:
                    port: 8080
              volumes:
              - name: helper-data
                emptyDir:
                  medium: ""
                  sizeLimit: 1024Mi
        """;

    [Fact]
    public void Lists_a_pod_lacks_are_written_as_Go_writes_them_each_time_they_are_copied()
    {
        // A pod without initContainers and volumes takes the template's lists whole: kept once as Go writes them, then
        // copied. A pod that has both merges item by item and gets the same items from the round trip itself.
        var injector = new PodInjector(SettingsLoader.Load(new ConfigTexts(InjectConfig: new ConfigText("config", ListsConfig))));
        var withLists = Pods.Hello();
        withLists["spec"]!["initContainers"] = new JsonArray(new JsonObject { ["name"] = "mine", ["image"] = "m", ["args"] = new JsonArray() });
        withLists["spec"]!["volumes"] = new JsonArray(new JsonObject { ["name"] = "own", ["emptyDir"] = new JsonObject { ["medium"] = "" } });
        string? patch = null;
        foreach (var pod in new[] { Pods.Hello(), Pods.Hello(), Pods.Hello(), withLists, withLists })
        {
            var result = injector.Inject(new InjectionRequest((JsonObject)pod.DeepClone(), "default", InjectionDoor.Webhook, [])).Injected();
            var injected = Pods.ApplyPatch(pod, result.Patch);
            var helper = PodJson.Find(injected, "initContainers", "helper-init")!;
            Assert.Equal(
                """{"name":"helper-init","image":"helper:1","env":[{"name":"EMPTY"}],"resources":{},"readinessProbe":{"periodSeconds":3,"tcpSocket":{"port":8080}}}""",
                Sorted(helper).ToJsonString());
            var volume = injected["spec"]!["volumes"]!.AsArray().Single(v => v!["name"]!.ToString() == "helper-data")!;
            Assert.Equal("""{"name":"helper-data","emptyDir":{"sizeLimit":"1Gi"}}""", volume.ToJsonString());
            if (ReferenceEquals(pod, withLists))
            {
                // The user's own zero values stay as written.
                Assert.Equal("""{"name":"mine","image":"m","args":[]}""", PodJson.Find(injected, "initContainers", "mine")!.ToJsonString());
                Assert.Equal("""{"name":"own","emptyDir":{"medium":""}}""", injected["spec"]!["volumes"]!.AsArray().Single(v => v!["name"]!.ToString() == "own")!.ToJsonString());
            }
            else
            {
                // A copy gives the bytes the first injection gave.
                patch ??= Encoding.UTF8.GetString(result.PatchJson);
                Assert.Equal(patch, Encoding.UTF8.GetString(result.PatchJson));
            }
        }
    }

    [Fact]
    public void Only_kept_lists_of_containers_and_volumes_are_rewritten()
    {
        var list = JsonNode.Parse("""[{"name":"a","args":[]},{"args":[]}]""")!.AsArray();
        Assert.False(GoRoundTrip.KeptList("spec/tolerations", list));
        Assert.False(GoRoundTrip.KeptList(null, list));
        Assert.False(GoRoundTrip.KeptList("spec/initContainers/*", list));
        Assert.Equal("""[{"name":"a","args":[]},{"args":[]}]""", list.ToJsonString());

        // Named items only, as for the items the templates produced in a merged pod.
        Assert.True(GoRoundTrip.KeptList("spec/initContainers", list));
        Assert.Equal("""[{"name":"a","resources":{}},{"args":[]}]""", list.ToJsonString());

        var volumes = JsonNode.Parse("""[{"name":"v","emptyDir":{"medium":""}}]""")!.AsArray();
        Assert.True(GoRoundTrip.KeptList("spec/volumes", volumes));
        Assert.Equal("""[{"name":"v","emptyDir":{}}]""", volumes.ToJsonString());
    }

    private static JsonObject Sorted(JsonObject container)
    {
        var order = new[] { "name", "image", "env", "resources", "readinessProbe" };
        return new JsonObject(order.Where(container.ContainsKey).Select(k => KeyValuePair.Create(k, container[k]?.DeepClone())));
    }
}

/// <summary>JSON Istio writes from typed Go values into strings, where key order and nulls are part of the bytes.</summary>
public sealed class TypedJsonTextTests
{
    [Theory]
    [InlineData("""{"grpc": {"port": 1234}}""", """{"/app-health/foo/livez":{"grpc":{"port":1234,"service":null}}}""")]
    [InlineData("""{"grpc": {"service": "health", "port": 1234}}""", """{"/app-health/foo/livez":{"grpc":{"port":1234,"service":"health"}}}""")]
    [InlineData("""{"tcpSocket": {"host": "localhost", "port": 1234}}""", """{"/app-health/foo/livez":{"tcpSocket":{"port":1234,"host":"localhost"}}}""")]
    [InlineData("""{"httpGet": {"scheme": "HTTP", "port": 1234, "path": "/p", "future": 1}}""", """{"/app-health/foo/livez":{"httpGet":{"path":"/p","port":1234,"scheme":"HTTP"}}}""")]
    public void App_probers_are_written_as_Go_writes_the_typed_probes(string handler, string probers)
    {
        var pod = Pods.Hello();
        var container = pod["spec"]!["containers"]![0]!.AsObject();
        container["name"] = "foo";
        container["livenessProbe"] = JsonNode.Parse(handler)!;

        var injected = Pods.Inject(pod).Injected().Pod;

        var proxy = PodJson.Proxy(injected)!;
        var env = proxy["env"]!.AsArray().Single(e => e!["name"]!.ToString() == "ISTIO_KUBE_APP_PROBERS");
        Assert.Equal(probers, env!["value"]!.ToString());
    }

    [Theory]
    [InlineData("""{"containerPort": 80, "name": "http", "protocol": "TCP"}""", """{"name":"http","containerPort":80,"protocol":"TCP"}""")]
    [InlineData("""{"protocol": "", "hostPort": 0, "containerPort": 80, "future": true}""", """{"containerPort":80}""")]
    [InlineData("""{"hostIP": "127.0.0.1", "containerPort": 80, "hostPort": 8080}""", """{"hostPort":8080,"containerPort":80,"hostIP":"127.0.0.1"}""")]
    public void Pod_ports_in_templates_are_written_as_Go_writes_ContainerPort(string port, string expected)
    {
        Assert.Equal(expected, Injector.Core.Templates.StructJson.Write(JsonNode.Parse(port)));
    }
}
