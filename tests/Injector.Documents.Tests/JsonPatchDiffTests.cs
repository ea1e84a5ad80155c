using System.Text.Json.Nodes;

namespace Injector.Documents.Tests;

public sealed class JsonPatchDiffTests
{
    [Theory]
    [InlineData("""{"a":1}""", """{"a":1}""", """[]""")]
    [InlineData("""{"a":1}""", """{"a":1.0}""", """[]""")]
    [InlineData("""{"a":1}""", """{"a":2}""", """[{"op":"replace","path":"/a","value":2}]""")]
    [InlineData("""{"a":1}""", """{"a":"1"}""", """[{"op":"replace","path":"/a","value":"1"}]""")]
    [InlineData("""{"a":1}""", """{"a":null}""", """[{"op":"replace","path":"/a","value":null}]""")]
    [InlineData("""{"a":1}""", """{}""", """[{"op":"remove","path":"/a"}]""")]
    [InlineData("""{}""", """{"a":{"b":[1]}}""", """[{"op":"add","path":"/a","value":{"b":[1]}}]""")]
    [InlineData("""{}""", """{"a":null}""", """[{"op":"add","path":"/a","value":null}]""")]
    [InlineData("""{"a":{"b":1}}""", """{"a":[1]}""", """[{"op":"replace","path":"/a","value":[1]}]""")]
    [InlineData("""{"a/b":{"c~d":1}}""", """{"a/b":{"c~d":2}}""", """[{"op":"replace","path":"/a~1b/c~0d","value":2}]""")]
    [InlineData("""{"l":[1,2]}""", """{"l":[0,1,2]}""", """[{"op":"add","path":"/l/0","value":0}]""")]
    [InlineData("""{"l":[1,2]}""", """{"l":[1,2,3,4]}""", """[{"op":"add","path":"/l/2","value":3},{"op":"add","path":"/l/3","value":4}]""")]
    [InlineData("""{"l":[1,2,3,4]}""", """{"l":[1,4]}""", """[{"op":"remove","path":"/l/2"},{"op":"remove","path":"/l/1"}]""")]
    [InlineData("""{"l":[1,2,3]}""", """{"l":[1,9,3]}""", """[{"op":"replace","path":"/l/1","value":9}]""")]
    [InlineData("""{"l":[1,2,3]}""", """{"l":[1,8,9,7,3]}""", """[{"op":"replace","path":"/l/1","value":8},{"op":"add","path":"/l/2","value":9},{"op":"add","path":"/l/3","value":7}]""")]
    [InlineData("""{"l":[{"n":"a","v":1}]}""", """{"l":[{"n":"a","v":2}]}""", """[{"op":"replace","path":"/l/0/v","value":2}]""")]
    [InlineData("""[1]""", """{"a":1}""", """[{"op":"replace","path":"","value":{"a":1}}]""")]
    [InlineData("""null""", """{"a":1}""", """[{"op":"replace","path":"","value":{"a":1}}]""")]
    public void Shapes_produce_minimal_patches(string from, string to, string expectedOps)
    {
        var a = JsonNode.Parse(from);
        var b = JsonNode.Parse(to);
        var ops = JsonPatchDiff.Create(a, b);
        Assert.Equal(expectedOps, ops.ToJsonString());
        Assert.Equal(expectedOps, System.Text.Encoding.UTF8.GetString(JsonPatchDiff.CreateUtf8(a, b)));
        Assert.True(JsonDeepEquality.AreEqual(b, PatchApplier.Apply(a, ops)));
    }

    [Fact]
    public void The_bytes_are_what_the_tree_serialises_to_with_its_escaping_and_long_paths()
    {
        // Non-ASCII, HTML-sensitive and control characters in keys and values; numbers kept as their text; a path
        // longer than the writer's first buffer.
        var longKey = new string('k', 700) + "/~";
        var from = JsonNode.Parse("""{"metadata":{"annotations":{"a":"1"}},"n":1.50,"deep":{"x":{"y":[1,2]}}}""")!;
        var to = JsonNode.Parse(
            """{"metadata":{"annotations":{"a":"<b>&'ü\u0001","é/~":"+"}},"n":1.5e0,"deep":{"x":{"y":[1,2,{"K":{"K":3}}]}},"K":{"K":{"q":0.10}}}"""
                .Replace("K", longKey, StringComparison.Ordinal))!;
        var tree = JsonPatchDiff.Create(from, to).ToJsonString();

        Assert.Equal(tree, System.Text.Encoding.UTF8.GetString(JsonPatchDiff.CreateUtf8(from, to)));
        Assert.Contains("\\u003Cb\\u003E", tree, StringComparison.Ordinal);
        Assert.Contains("0.10", tree, StringComparison.Ordinal);
        var removed = JsonPatchDiff.CreateUtf8(to, from);
        Assert.Equal(JsonPatchDiff.Create(to, from).ToJsonString(), System.Text.Encoding.UTF8.GetString(removed));
    }

    [Fact]
    public void Injecting_an_init_container_at_the_front_is_one_add()
    {
        var pod = JsonNode.Parse("""{"spec":{"initContainers":[{"name":"setup"}],"containers":[{"name":"app"}]}}""")!;
        var injected = pod.DeepClone();
        injected["spec"]!["initContainers"]!.AsArray().Insert(0, JsonNode.Parse("""{"name":"istio-init"}"""));
        injected["spec"]!["containers"]!.AsArray().Add(JsonNode.Parse("""{"name":"istio-proxy"}"""));
        var ops = JsonPatchDiff.Create(pod, injected);
        Assert.Equal(
            """[{"op":"add","path":"/spec/initContainers/0","value":{"name":"istio-init"}},{"op":"add","path":"/spec/containers/1","value":{"name":"istio-proxy"}}]""",
            ops.ToJsonString());
    }

    [Fact]
    public void Patches_never_alias_the_target_document()
    {
        var to = JsonNode.Parse("""{"a":{"b":1}}""")!;
        var ops = JsonPatchDiff.Create(new JsonObject(), to);
        ops[0]!["value"]!["b"] = 2;
        Assert.Equal(1, (int)to["a"]!["b"]!);
    }

    [Fact]
    public void Large_env_lists_diff_with_few_operations()
    {
        var env = new JsonArray();
        for (var i = 0; i < 1500; i++)
        {
            env.Add(new JsonObject { ["name"] = $"VAR_{i}", ["value"] = $"value-{i}" });
        }

        var from = new JsonObject { ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["env"] = env }) } };
        var to = from.DeepClone();
        var toEnv = to["spec"]!["containers"]![0]!["env"]!.AsArray();
        toEnv[750]!["value"] = "changed";
        toEnv.Add(new JsonObject { ["name"] = "LAST" });

        var ops = JsonPatchDiff.Create(from, to);
        Assert.Equal(
            """[{"op":"replace","path":"/spec/containers/0/env/750/value","value":"changed"},{"op":"add","path":"/spec/containers/0/env/1500","value":{"name":"LAST"}}]""",
            ops.ToJsonString());
        Assert.True(JsonDeepEquality.AreEqual(to, PatchApplier.Apply(from, ops)));

        // Inserting at the front is found through the common suffix.
        var front = from.DeepClone();
        front["spec"]!["containers"]![0]!["env"]!.AsArray().Insert(0, new JsonObject { ["name"] = "FIRST" });
        Assert.Equal(
            """[{"op":"add","path":"/spec/containers/0/env/0","value":{"name":"FIRST"}}]""",
            JsonPatchDiff.Create(from, front).ToJsonString());
    }

    [Fact]
    public void A_64_kilobyte_pod_diffs_to_the_changed_paths_only()
    {
        var containers = new JsonArray();
        for (var c = 0; containers.ToJsonString().Length < 64 * 1024; c++)
        {
            var env = new JsonArray();
            for (var i = 0; i < 40; i++)
            {
                env.Add(new JsonObject { ["name"] = $"E{i}", ["value"] = new string('x', 20) });
            }

            containers.Add(new JsonObject { ["name"] = $"c{c}", ["image"] = "img", ["env"] = env });
        }

        var from = new JsonObject { ["metadata"] = new JsonObject { ["name"] = "p" }, ["spec"] = new JsonObject { ["containers"] = containers } };
        Assert.True(from.ToJsonString().Length >= 64 * 1024);
        var to = from.DeepClone();
        to["metadata"]!["annotations"] = new JsonObject { ["sidecar.istio.io/status"] = "{}" };
        to["spec"]!["containers"]!.AsArray().Insert(0, new JsonObject { ["name"] = "istio-proxy" });

        var ops = JsonPatchDiff.Create(from, to);
        Assert.Equal(
            """[{"op":"add","path":"/metadata/annotations","value":{"sidecar.istio.io/status":"{}"}},{"op":"add","path":"/spec/containers/0","value":{"name":"istio-proxy"}}]""",
            ops.ToJsonString());
        Assert.Empty(JsonPatchDiff.Create(from, from.DeepClone()));
    }

    [Fact]
    public void Random_edits_round_trip_through_the_patch()
    {
        var random = new Random(20240607);
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var from = RandomJson.Node(random, depth: 0);
            var to = RandomJson.Edit(random, from?.DeepClone(), depth: 0);
            var ops = JsonPatchDiff.Create(from, to);
            Assert.Equal(ops.ToJsonString(), System.Text.Encoding.UTF8.GetString(JsonPatchDiff.CreateUtf8(from, to)));
            var applied = PatchApplier.Apply(from, ops);
            Assert.True(JsonDeepEquality.AreEqual(to, applied), $"iteration {iteration}: {from?.ToJsonString()} -> {to?.ToJsonString()} via {ops.ToJsonString()} gave {applied?.ToJsonString()}");
            Assert.Empty(JsonPatchDiff.Create(from, from?.DeepClone()));
        }
    }
}
