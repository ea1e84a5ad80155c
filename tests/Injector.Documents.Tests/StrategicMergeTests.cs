using System.Text.Json.Nodes;

namespace Injector.Documents.Tests;

public sealed class StrategicMergeTests
{
    [Theory]
    [InlineData("maps merge key by key", """{"a":{"x":1,"y":2}}""", """{"a":{"y":3,"z":4}}""", """{"a":{"x":1,"y":3,"z":4}}""")]
    [InlineData("scalars are replaced", """{"a":1}""", """{"a":"s"}""", """{"a":"s"}""")]
    [InlineData("null deletes a key", """{"a":1,"b":2}""", """{"a":null}""", """{"b":2}""")]
    [InlineData("null deletes a nested key", """{"a":{"b":1,"c":2}}""", """{"a":{"b":null}}""", """{"a":{"c":2}}""")]
    [InlineData("map replaces scalar", """{"a":1}""", """{"a":{"b":null,"c":1}}""", """{"a":{"c":1}}""")]
    [InlineData("$patch replace in a map", """{"a":{"x":1,"y":2}}""", """{"a":{"$patch":"replace","z":3}}""", """{"a":{"z":3}}""")]
    [InlineData("$patch delete in a map", """{"a":{"x":1},"b":1}""", """{"a":{"$patch":"delete"}}""", """{"b":1}""")]
    [InlineData("$retainKeys", """{"a":{"x":1,"y":2,"z":3}}""", """{"a":{"$retainKeys":["x","w"],"w":4}}""", """{"a":{"x":1,"w":4}}""")]
    [InlineData("unkeyed lists are replaced", """{"spec":{"containers":[{"name":"a","args":["1","2"]}]}}""", """{"spec":{"containers":[{"name":"a","args":["3"]}]}}""", """{"spec":{"containers":[{"name":"a","args":["3"]}]}}""")]
    [InlineData("tolerations are replaced", """{"spec":{"tolerations":[{"key":"a"}]}}""", """{"spec":{"tolerations":[{"key":"b"}]}}""", """{"spec":{"tolerations":[{"key":"b"}]}}""")]
    [InlineData("empty keyed patch list keeps original", """{"spec":{"volumes":[{"name":"v"}]}}""", """{"spec":{"volumes":[]}}""", """{"spec":{"volumes":[{"name":"v"}]}}""")]
    [InlineData("keyed list into missing list", """{"spec":{}}""", """{"spec":{"volumes":[{"name":"v","x":null}]}}""", """{"spec":{"volumes":[{"name":"v"}]}}""")]
    [InlineData("element delete directive", """{"spec":{"volumes":[{"name":"a"},{"name":"b"}]}}""", """{"spec":{"volumes":[{"name":"a","$patch":"delete"}]}}""", """{"spec":{"volumes":[{"name":"b"}]}}""")]
    [InlineData("list replace directive", """{"spec":{"volumes":[{"name":"a"},{"name":"b"}]}}""", """{"spec":{"volumes":[{"$patch":"replace"},{"name":"c"}]}}""", """{"spec":{"volumes":[{"name":"c"}]}}""")]
    [InlineData("$setElementOrder is dropped", """{"spec":{"volumes":[{"name":"a"}]}}""", """{"spec":{"$setElementOrder/volumes":[{"name":"a"}],"volumes":[{"name":"a","x":1}]}}""", """{"spec":{"volumes":[{"name":"a","x":1}]}}""")]
    [InlineData("keyless elements are appended", """{"spec":{"volumes":[{"name":"a"}]}}""", """{"spec":{"volumes":[{"emptyDir":{}}]}}""", """{"spec":{"volumes":[{"name":"a"},{"emptyDir":{}}]}}""")]
    [InlineData("hostAliases by ip", """{"spec":{"hostAliases":[{"ip":"1.1.1.1","hostnames":["a"]}]}}""", """{"spec":{"hostAliases":[{"ip":"1.1.1.1","hostnames":["b"]}]}}""", """{"spec":{"hostAliases":[{"ip":"1.1.1.1","hostnames":["b"]}]}}""")]
    [InlineData("ownerReferences by uid", """{"metadata":{"ownerReferences":[{"uid":"u1","name":"a"}]}}""", """{"metadata":{"ownerReferences":[{"uid":"u1","name":"b"},{"uid":"u2"}]}}""", """{"metadata":{"ownerReferences":[{"uid":"u1","name":"b"},{"uid":"u2"}]}}""")]
    [InlineData("ports by containerPort", """{"spec":{"containers":[{"name":"c","ports":[{"containerPort":80,"name":"http"},{"containerPort":90}]}]}}""", """{"spec":{"containers":[{"name":"c","ports":[{"containerPort":80.0,"protocol":"TCP"}]}]}}""", """{"spec":{"containers":[{"name":"c","ports":[{"containerPort":80.0,"name":"http","protocol":"TCP"},{"containerPort":90}]}]}}""")]
    [InlineData("volumeMounts by mountPath", """{"spec":{"initContainers":[{"name":"c","volumeMounts":[{"mountPath":"/a","name":"x"}]}]}}""", """{"spec":{"initContainers":[{"name":"c","volumeMounts":[{"mountPath":"/b","name":"y"},{"mountPath":"/a","readOnly":true}]}]}}""", """{"spec":{"initContainers":[{"name":"c","volumeMounts":[{"mountPath":"/b","name":"y"},{"mountPath":"/a","name":"x","readOnly":true}]}]}}""")]
    [InlineData("$retainKeys drops a merged element's key", """{"spec":{"containers":[{"name":"a","image":"x"},{"name":"b"}]}}""", """{"spec":{"containers":[{"name":"a","$retainKeys":["image"],"image":"y"}]}}""", """{"spec":{"containers":[{"image":"y"},{"name":"b"}]}}""")]
    [InlineData("bare pod spec root", """{"containers":[{"name":"app","env":[{"name":"A","value":"1"}]}]}""", """{"containers":[{"name":"app","env":[{"name":"A","value":"2"}]}]}""", """{"containers":[{"name":"app","env":[{"name":"A","value":"2"}]}]}""")]
    public void Rules_and_directives(string description, string original, string patch, string expected)
    {
        Assert.NotEmpty(description);
        var result = StrategicMerge.Apply(Obj(original), Obj(patch), MergeSchema.Pod);
        Assert.Equal(expected, result.ToJsonString());

        // In place, the same result, and the patch is left as it was.
        var patchNode = Obj(patch);
        Assert.Equal(expected, StrategicMerge.ApplyInPlace(Obj(original), patchNode, MergeSchema.Pod).ToJsonString());
        Assert.Equal(Obj(patch).ToJsonString(), patchNode.ToJsonString());

        // With a memo, twice (the second from the kept parts), copying and in place: the same result.
        var memo = new MergeMemo();
        for (var round = 0; round < 2; round++)
        {
            Assert.Equal(expected, StrategicMerge.Apply(Obj(original), patchNode, MergeSchema.Pod, memo).ToJsonString());
            Assert.Equal(expected, StrategicMerge.ApplyInPlace(Obj(original), patchNode, MergeSchema.Pod, memo).ToJsonString());
        }

        Assert.Equal(Obj(patch).ToJsonString(), patchNode.ToJsonString());
    }

    [Fact]
    public void Paths_are_known_only_on_the_way_to_a_keyed_list()
    {
        var schema = MergeSchema.Pod;
        var env = schema.ChildPath(schema.ChildPath(schema.ChildPath(schema.ChildPath("", "spec"), "containers"), "*"), "env");

        Assert.Equal("spec/containers/*/env", env);
        Assert.Equal("name", schema.MergeKeyAt(env));
        Assert.Same(env, schema.ChildPath("spec/containers/*", "env"));
        Assert.Equal("metadata/ownerReferences", schema.ChildPath("metadata", "ownerReferences"));
        Assert.Null(schema.ChildPath("spec/containers/*", "securityContext"));
        Assert.Null(schema.ChildPath("metadata", "labels"));
        Assert.Null(schema.ChildPath(null, "spec"));
        Assert.Null(schema.MergeKeyAt(null));
    }

    [Fact]
    public void In_place_merges_equal_copying_ones_on_random_pods()
    {
        var random = new Random(20261201);
        for (var i = 0; i < 400; i++)
        {
            var original = RandomPod(random);
            var patch = RandomPod(random);
            if (random.Next(4) == 0)
            {
                // Directives now and then: an element deleted, a list replaced, a key repeated in the patch.
                var containers = (JsonArray)patch["spec"]!["containers"]!;
                containers.Add(random.Next(3) switch
                {
                    0 => new JsonObject { ["name"] = "c1", ["$patch"] = "delete" },
                    1 => new JsonObject { ["$patch"] = "replace" },
                    _ => new JsonObject { ["name"] = "c0", ["image"] = "again" },
                });
            }

            var copied = StrategicMerge.Apply(original, patch, MergeSchema.Pod).ToJsonString();
            var patchText = patch.ToJsonString();
            var inPlace = StrategicMerge.ApplyInPlace((JsonObject)original.DeepClone(), patch, MergeSchema.Pod).ToJsonString();

            Assert.Equal(copied, inPlace);
            Assert.Equal(patchText, patch.ToJsonString());
        }
    }

    [Fact]
    public void A_memo_gives_what_merging_gives_for_one_patch_over_many_pods()
    {
        var random = new Random(20261202);
        for (var p = 0; p < 40; p++)
        {
            // One patch, as a rendered template's fragment is, merged into many pods with one memo.
            var patch = RandomPod(random);
            if (random.Next(3) == 0)
            {
                ((JsonArray)patch["spec"]!["containers"]!).Add(random.Next(3) switch
                {
                    0 => new JsonObject { ["name"] = "c1", ["$patch"] = "delete" },
                    1 => new JsonObject { ["name"] = "c2", ["env"] = new JsonArray(new JsonObject { ["name"] = "A", ["value"] = "1" }, new JsonObject { ["name"] = "A", ["x"] = null }) },
                    _ => new JsonObject { ["name"] = "c0", ["image"] = "again" },
                });
            }

            var patchText = patch.ToJsonString();
            var memo = new MergeMemo();
            var results = new List<JsonObject>();
            for (var i = 0; i < 10; i++)
            {
                // Some pods lack spec or metadata altogether, so whole maps come from the memo.
                var original = RandomPod(random);
                if (random.Next(4) == 0)
                {
                    original.Remove(random.Next(2) == 0 ? "spec" : "metadata");
                }

                var expected = StrategicMerge.Apply(original, patch, MergeSchema.Pod).ToJsonString();
                var copied = StrategicMerge.Apply(original, patch, MergeSchema.Pod, memo);
                var inPlace = StrategicMerge.ApplyInPlace((JsonObject)original.DeepClone(), patch, MergeSchema.Pod, memo);
                Assert.Equal(expected, copied.ToJsonString());
                Assert.Equal(expected, inPlace.ToJsonString());
                results.Add(copied);
            }

            Assert.Equal(patchText, patch.ToJsonString());

            // Each result is its own: changing one changes neither the memo's parts nor the next merge.
            foreach (var result in results)
            {
                foreach (var node in JsonWalk.Nodes(result))
                {
                    if (node is JsonObject map)
                    {
                        map["changed"] = true;
                    }
                }
            }

            var again = RandomPod(random);
            Assert.Equal(StrategicMerge.Apply(again, patch, MergeSchema.Pod).ToJsonString(), StrategicMerge.Apply(again, patch, MergeSchema.Pod, memo).ToJsonString());
        }
    }

    [Fact]
    public void A_memo_keeps_the_parts_an_original_lacks_and_serves_one_schema()
    {
        var patch = Obj("""{"spec":{"initContainers":[{"name":"proxy","env":[{"name":"A","value":"1"}]}],"volumes":[{"name":"v"}]},"metadata":{"labels":{"x":"y"}}}""");
        var memo = new MergeMemo();
        StrategicMerge.Apply(Obj("""{"spec":{"containers":[{"name":"app"}]}}"""), patch, MergeSchema.Pod, memo);

        // spec.initContainers and spec.volumes (the pod has neither) and all of metadata.
        Assert.Equal(3, memo.Count);
        StrategicMerge.Apply(Obj("""{"spec":{"containers":[{"name":"app"}]}}"""), patch, MergeSchema.Pod, memo);
        Assert.Equal(3, memo.Count);

        // Another schema gives keyed lists other keys: the memo is not used for it.
        var other = new MergeSchema(new Dictionary<string, string>(StringComparer.Ordinal) { ["spec/initContainers"] = "name", ["spec/initContainers/*/env"] = "value" });
        StrategicMerge.Apply(Obj("""{"metadata":{}}"""), patch, other, memo);
        Assert.Equal(3, memo.Count);
    }

    [Fact]
    public void A_finisher_sees_each_kept_list_once_by_its_path_and_its_copies_elements_are_collected()
    {
        var patch = Obj("""{"spec":{"initContainers":[{"name":"proxy","env":[{"name":"A"}]}],"volumes":[{"name":"v"},{"name":"w"}],"containers":[{"name":"c"}]}}""");
        var seen = new List<string?>();
        var memo = new MergeMemo((path, list) =>
        {
            seen.Add(path);
            list.Add(new JsonObject { ["name"] = "finished" });
            return path != "spec/volumes";
        });
        for (var i = 0; i < 3; i++)
        {
            // The pod has containers (merged element by element, not kept whole) and neither other list.
            var finished = new List<JsonNode>();
            var merged = StrategicMerge.ApplyInPlace(Obj("""{"spec":{"containers":[{"name":"app"}]}}"""), patch, MergeSchema.Pod, memo, finished);

            Assert.Equal(
                """{"spec":{"containers":[{"name":"c"},{"name":"app"}],"initContainers":[{"name":"proxy","env":[{"name":"A"}]},{"name":"finished"}],"volumes":[{"name":"v"},{"name":"w"},{"name":"finished"}]}}""",
                merged.ToJsonString());

            // Only the elements of lists the finisher said it changed, and they are the merged pod's own nodes.
            Assert.Equal(2, finished.Count);
            Assert.Same(merged["spec"]!["initContainers"]![0], finished[0]);
            Assert.Same(merged["spec"]!["initContainers"]![1], finished[1]);
        }

        Assert.Equal(["spec/initContainers", "spec/volumes"], seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Concurrent_first_merges_through_one_memo_give_the_same_result()
    {
        var random = new Random(7);
        for (var round = 0; round < 20; round++)
        {
            var patch = RandomPod(random);
            var originals = Enumerable.Range(0, 16).Select(_ => RandomPod(random)).ToArray();
            var expected = originals.Select(o => StrategicMerge.Apply(o, patch, MergeSchema.Pod).ToJsonString()).ToArray();
            var memo = new MergeMemo((_, list) =>
            {
                list.Add(new JsonObject { ["name"] = "finished" });
                return true;
            });
            var withMemo = new string[originals.Length];
            Parallel.For(0, originals.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
                withMemo[i] = StrategicMerge.Apply(originals[i], patch, MergeSchema.Pod, memo).ToJsonString());

            // A finisher's list is kept once: each result has at most one "finished" per list the pod lacked.
            for (var i = 0; i < originals.Length; i++)
            {
                var result = JsonNode.Parse(withMemo[i])!;
                foreach (var list in new[] { "containers", "volumes" })
                {
                    if (result["spec"]?[list] is JsonArray items)
                    {
                        Assert.True(items.Count(e => e?["name"]?.ToString() == "finished") <= 1, withMemo[i]);
                        items.Where(e => e?["name"]?.ToString() == "finished").ToList().ForEach(e => items.Remove(e));
                    }
                }

                Assert.Equal(expected[i], result.ToJsonString());
            }
        }
    }

    /// <summary>A pod-shaped tree: containers and volumes (keyed lists) with random fields, and random metadata.</summary>
    private static JsonObject RandomPod(Random random)
    {
        JsonArray Items(string prefix) => new([.. Enumerable.Range(0, random.Next(4)).Select(_ =>
        {
            var item = new JsonObject { ["name"] = $"{prefix}{random.Next(3)}" };
            for (var f = random.Next(3); f > 0; f--)
            {
                item[$"f{random.Next(4)}"] = RandomJson.Node(random, 1);
            }

            return (JsonNode)item;
        })]);

        return new JsonObject
        {
            ["metadata"] = new JsonObject { ["labels"] = RandomJson.Node(random, 2), ["annotations"] = new JsonObject { [$"a{random.Next(3)}"] = "v" } },
            ["spec"] = new JsonObject { ["containers"] = Items("c"), ["volumes"] = Items("v"), ["x"] = RandomJson.Node(random, 1) },
        };
    }

    [Fact]
    public void Template_containers_come_before_the_pods_own()
    {
        var pod = Obj("""{"spec":{"containers":[{"name":"hello","image":"app"}]}}""");
        var template = Obj("""{"spec":{"containers":[{"name":"istio-proxy","image":"proxy"}]}}""");
        var result = StrategicMerge.Apply(pod, template, MergeSchema.Pod);
        Assert.Equal(["istio-proxy", "hello"], Names(result["spec"]!["containers"]));
    }

    [Fact]
    public void Named_existing_elements_keep_their_relative_order()
    {
        var pod = Obj("""{"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"},{"name":"d"}]}}""");
        var patch = Obj("""{"spec":{"containers":[{"name":"new"},{"name":"c","x":1},{"name":"a","x":2}]}}""");
        var result = StrategicMerge.Apply(pod, patch, MergeSchema.Pod);

        // Interleave: patch order for patch items, server-only items slot in by their original index.
        Assert.Equal(["new", "b", "c", "a", "d"], Names(result["spec"]!["containers"]));
        Assert.Equal(2, (int)result["spec"]!["containers"]![3]!["x"]!);
    }

    [Fact]
    public void Env_merges_by_name_and_keeps_order()
    {
        var pod = Obj("""{"spec":{"containers":[{"name":"app","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}]}}""");
        var patch = Obj("""{"spec":{"containers":[{"name":"app","env":[{"name":"B","valueFrom":{"fieldRef":{"fieldPath":"x"}},"value":null},{"name":"C","value":"3"}]}]}}""");
        var result = StrategicMerge.Apply(pod, patch, MergeSchema.Pod);
        Assert.Equal(
            """[{"name":"A","value":"1"},{"name":"B","valueFrom":{"fieldRef":{"fieldPath":"x"}}},{"name":"C","value":"3"}]""",
            result["spec"]!["containers"]![0]!["env"]!.ToJsonString());
    }

    [Fact]
    public void Inputs_are_not_mutated()
    {
        var original = Obj("""{"spec":{"containers":[{"name":"a","env":[{"name":"X"}]}],"volumes":[{"name":"v"}]}}""");
        var patch = Obj("""{"spec":{"containers":[{"name":"a","env":[{"name":"Y"}]},{"name":"b"}],"volumes":[{"name":"v","$patch":"delete"}]}}""");
        var originalText = original.ToJsonString();
        var patchText = patch.ToJsonString();
        var result = StrategicMerge.Apply(original, patch, MergeSchema.Pod);
        result["spec"]!["containers"]![0]!["name"] = "changed";

        Assert.Equal(originalText, original.ToJsonString());
        Assert.Equal(patchText, patch.ToJsonString());
    }

    [Fact]
    public void Unknown_fields_survive()
    {
        var original = Obj("""{"spec":{"containers":[{"name":"a","futureField":{"x":[1,2]}}]},"weird":true}""");
        var patch = Obj("""{"spec":{"containers":[{"name":"a","image":"i"}]}}""");
        var result = StrategicMerge.Apply(original, patch, MergeSchema.Pod);
        Assert.Equal("""{"spec":{"containers":[{"name":"a","futureField":{"x":[1,2]},"image":"i"}]},"weird":true}""", result.ToJsonString());
    }

    private static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    private static string[] Names(JsonNode? list) => [.. list!.AsArray().Select(e => (string)e!["name"]!)];
}
