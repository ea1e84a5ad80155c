using System.Text.Json.Nodes;
using Injector.Core.Kube;

namespace Injector.Core.Tests;

/// <summary>The API server's checks an injection can break, each in its words and in the checks' order.</summary>
public sealed class PodValidityTests
{
    private static JsonObject Pod(string spec) => new() { ["spec"] = JsonNode.Parse(spec) };

    [Theory]
    [InlineData("""{"containers":[]}""", "spec.containers is empty (a sidecar.istio.io/status annotation that names the app's containers removes them)")]
    [InlineData("""{"containers":["not an object"]}""", "spec.containers is empty (a sidecar.istio.io/status annotation that names the app's containers removes them)")]
    [InlineData("""{"containers":[{"name":"a"}],"volumes":[{"name":"v","emptyDir":{}},{"name":"v","emptyDir":{}}]}""", "volume name 'v' is used twice")]
    [InlineData("""{"containers":[{"name":"a"}],"volumes":[{"name":"v","emptyDir":{},"secret":{"secretName":"s"},"unknown":{}}]}""", "volume 'v' has 2 sources (emptyDir, secret): the pod's own volume of that name collides with one the injector adds")]
    [InlineData("""{"containers":[{"name":"a"}],"volumes":["x",{"emptyDir":{},"configMap":{}}]}""", "volume '#0' has 2 sources (emptyDir, configMap): the pod's own volume of that name collides with one the injector adds")]
    [InlineData("""{"initContainers":[{"name":"a"}],"containers":[{"name":"a"}]}""", "container name 'a' is used twice (in initContainers and containers)")]
    [InlineData("""{"containers":[{"name":"a","volumeMounts":[{"name":"gone","mountPath":"/x"}]}]}""", "container 'a' mounts volume 'gone', which the pod does not have")]
    [InlineData("""{"containers":[{"name":"a","ports":[{"containerPort":70000}]}]}""", "container 'a' declares containerPort 70000, outside 1-65535")]
    [InlineData("""{"containers":[{"name":"a","startupProbe":{"grpc":{"port":0}}}]}""", "container 'a' startupProbe.grpc.port 0 is outside 1-65535")]
    public void Each_problem_is_named(string spec, string expected)
    {
        var pod = Pod(spec);

        Assert.Equal(expected, PodValidity.Check(pod));
        Assert.Equal(expected, PodValidity.First(pod));
        Assert.Equal([expected], PodValidity.Problems(pod));
    }

    [Fact]
    public void A_valid_pod_has_no_problem()
    {
        var pod = Pod("""{"containers":[{"name":"a","ports":[{"containerPort":80}],"volumeMounts":[{"name":"v","mountPath":"/v"}],"readinessProbe":{"httpGet":{"port":8080}}}],"volumes":[{"name":"v","emptyDir":{}}]}""");

        Assert.Null(PodValidity.Check(pod));
        Assert.Null(PodValidity.First(pod));
        Assert.Empty(PodValidity.Problems(pod));
    }

    [Fact]
    public void Problems_come_in_the_checks_order_once_each_and_the_first_stops_the_checks()
    {
        var pod = Pod("""
            {"volumes":[{"name":"v","emptyDir":{}},{"name":"v","emptyDir":{}}],
             "containers":[{"name":"a","volumeMounts":[{"name":"gone"},{"name":"gone"}],"ports":[{"containerPort":0}]},{"name":"a"}],
             "ephemeralContainers":[{"name":"a","livenessProbe":{"tcpSocket":{"port":65536}}}]}
            """);

        Assert.Equal(
            [
                "volume name 'v' is used twice",
                "container 'a' mounts volume 'gone', which the pod does not have",
                "container 'a' mounts volume 'gone', which the pod does not have",
                "container 'a' declares containerPort 0, outside 1-65535",
                "container name 'a' is used twice (in containers and containers)",
                "container name 'a' is used twice (in containers and ephemeralContainers)",
                "container 'a' livenessProbe.tcpSocket.port 65536 is outside 1-65535",
            ],
            PodValidity.Problems(pod));
        Assert.Equal("volume name 'v' is used twice", PodValidity.First(pod));
        Assert.Equal(
            "volume name 'v' is used twice; container 'a' mounts volume 'gone', which the pod does not have; container 'a' declares containerPort 0, outside 1-65535; container name 'a' is used twice (in containers and containers); container name 'a' is used twice (in containers and ephemeralContainers); and 1 more",
            PodValidity.Check(pod));
    }

    [Fact]
    public void Names_are_cut_and_stripped_of_control_characters()
    {
        var name = "x\u0007" + new string('n', 80);
        var pod = new JsonObject { ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = name }, new JsonObject { ["name"] = name }) } };

        Assert.Equal($"container name 'x?{new string('n', 62)}…' is used twice (in containers and containers)", PodValidity.First(pod));
    }
}
