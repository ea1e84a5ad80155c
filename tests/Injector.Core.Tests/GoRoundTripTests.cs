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
}
