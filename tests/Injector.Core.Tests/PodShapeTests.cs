using System.Text.Json.Nodes;
using Injector.Core.Kube;

namespace Injector.Core.Tests;

/// <summary>
/// PodShape walks a pod twice only when it must: first without paths, stopping at the first problem, then, for a pod
/// with one, again naming every problem at its path. These pin the second walk's messages and the first's verdict.
/// </summary>
public sealed class PodShapeTests
{
    [Fact]
    public void A_well_typed_pod_has_no_problems()
    {
        Assert.Null(PodShape.Check(Pods.Hello("""{"a": "1"}""", """{"app": "x"}""")));
        for (var seed = 0; seed < 50; seed++)
        {
            Assert.Null(PodShape.Check(RandomPods.Build(1 + (seed % 3), seed % 2, seed)));
        }
    }

    [Fact]
    public void The_walk_without_paths_agrees_with_the_walk_that_names_problems()
    {
        // Random valid pods, then one value swapped for a value of another JSON type now and then: the first walk
        // says "well-typed" exactly when the second names no problem (a wrong first verdict would only cost time,
        // so nothing else would notice it).
        var random = new Random(20261202);
        JsonNode?[] others = [5, 1.5, "text", true, new JsonArray(1), new JsonObject { ["k"] = 1 }, null];
        var problems = 0;
        for (var seed = 0; seed < 300; seed++)
        {
            var pod = RandomPods.Build(1 + (seed % 3), seed % 3, seed);
            if (seed % 4 != 0)
            {
                var values = JsonWalk.Nodes(pod).Where(n => n.Parent is not null).ToList();
                var target = values[random.Next(values.Count)];
                var replacement = others[random.Next(others.Length)]?.DeepClone();
                switch (target.Parent)
                {
                    case JsonObject parent:
                        parent[target.GetPropertyName()] = replacement;
                        break;
                    case JsonArray list:
                        list[target.GetElementIndex()] = replacement;
                        break;
                }
            }

            var check = PodShape.Check(pod);
            problems += check is null ? 0 : 1;
            Assert.True(PodShape.IsWellTyped(pod) == check is null, $"seed {seed}: {check}");
        }

        // Both verdicts occur, so the comparison means something.
        Assert.InRange(problems, 30, 270);
    }

    [Fact]
    public void Every_problem_is_counted_and_the_first_five_are_named_in_order()
    {
        var pod = JsonNode.Parse("""
            {"metadata": {"labels": {"a": 1, "b": "ok", "c": true}},
             "spec": {"hostNetwork": "yes", "containers": [
               {"name": "a", "ports": [{"containerPort": 80}, {"containerPort": "http"}]},
               {"name": "b", "resources": {"limits": {"cpu": "lots", "memory": "1Gi"}}, "stdin": 1}]}}
            """)!;

        var problems = PodShape.Check(pod);

        Assert.Equal(
            "metadata.labels[\"a\"]: want a string, got the number 1; metadata.labels[\"c\"]: want a string, got a boolean; "
            + "spec.hostNetwork: want a boolean, got the string \"yes\"; spec.containers[0].ports[1].containerPort: want a 32-bit integer, got the string \"http\"; "
            + "spec.containers[1].resources.limits[\"cpu\"]: want a resource quantity, got the string \"lots\"; and 1 more",
            problems);
    }

    [Theory]
    [InlineData("""{"spec": {"containers": [{"name": "a"}, {"name": "b"}, {"name": "c", "tty": "no"}]}}""", "spec.containers[2].tty: want a boolean, got the string \"no\"")]
    [InlineData("""{"spec": {"volumes": [{"name": "v", "emptyDir": {}}, {"name": "w", "emptyDir": {"sizeLimit": []}}], "containers": [{"name": "a"}]}}""", "spec.volumes[1].emptyDir.sizeLimit: want a resource quantity, got a list")]
    [InlineData("""{"spec": {"containers": [{"name": "a", "env": [{"name": "A", "value": "1"}, {"name": "B", "valueFrom": "x"}]}]}}""", "spec.containers[0].env[1].valueFrom: want a map, got the string \"x\"")]
    [InlineData("""{"spec": {"securityContext": {"runAsUser": 1000, "runAsGroup": 1.5}, "containers": [{"name": "a"}]}}""", "spec.securityContext.runAsGroup: want a 64-bit integer, got the number 1.5")]
    [InlineData("""{"spec": {"containers": [{"name": "a", "livenessProbe": {"httpGet": {"port": true}}}]}}""", "spec.containers[0].livenessProbe.httpGet.port: want a 32-bit integer or a string, got a boolean")]
    [InlineData("""{"metadata": {"creationTimestamp": 5, "managedFields": [{"fieldsV1": {"any": [1]}}]}, "spec": {"containers": [{"name": "a"}]}}""", "metadata.creationTimestamp: want a string, got the number 5")]
    public void A_problem_after_well_typed_parts_is_found_and_named(string json, string expected)
    {
        Assert.Equal(expected, PodShape.Check(JsonNode.Parse(json)));
    }

    [Fact]
    public void The_injected_check_looks_at_metadata_and_the_named_items_only()
    {
        var pod = JsonNode.Parse("""
            {"metadata": {"annotations": {"x": "y"}},
             "spec": {"containers": [{"name": "app", "tty": "no"}, {"name": "istio-proxy", "image": "i"}],
                      "initContainers": [{"name": "istio-init", "args": [1]}],
                      "volumes": [{"name": "mine", "emptyDir": 5}, {"name": "istio-envoy", "emptyDir": {}}]}}
            """)!.AsObject();
        var containers = new HashSet<string> { "istio-proxy", "istio-init" };
        var volumes = new HashSet<string> { "istio-envoy" };

        // The app's container and volume are the user's, checked before the injection: not looked at again.
        Assert.Equal("spec.initContainers[0].args[0]: want a string, got the number 1", PodShape.CheckInjected(pod, containers, volumes));

        pod["spec"]!["initContainers"]![0]!["args"] = new JsonArray("ok");
        Assert.Null(PodShape.CheckInjected(pod, containers, volumes));

        pod["metadata"]!["annotations"]!["z"] = 1;
        pod["spec"]!["volumes"]![1]!["emptyDir"] = "no";
        Assert.Equal(
            "metadata.annotations[\"z\"]: want a string, got the number 1; spec.volumes[1].emptyDir: want a map, got the string \"no\"",
            PodShape.CheckInjected(pod, containers, volumes));
    }
}
