using System.Text.Json.Nodes;
using Injector.Core.Kube;

namespace Injector.Core.Tests;

/// <summary>The pod's list accessors: maps only, in order, across two lists, with or without LINQ.</summary>
public sealed class PodJsonTests
{
    private static JsonObject Pod() => JsonNode.Parse("""
        {"spec":{"initContainers":[{"name":"i1"},"not a map",{"name":"i2"}],"containers":[{"name":"c1"},null,{"name":"c2"}]}}
        """)!.AsObject();

    [Fact]
    public void The_maps_of_one_or_two_lists_come_in_order()
    {
        var pod = Pod();

        var names = new List<string?>();
        foreach (var item in PodJson.Items(pod, "initContainers", "containers"))
        {
            names.Add(PodJson.Name(item));
        }

        Assert.Equal(["i1", "i2", "c1", "c2"], names);
        Assert.Equal(["c1", "c2", "i1", "i2"], PodJson.Items(pod, "containers", "initContainers").Select(PodJson.Name));
        Assert.Equal(["c1", "c2"], PodJson.Items(pod, "containers").Select(PodJson.Name));
        Assert.Empty(PodJson.Items(pod, "volumes"));
        Assert.Equal(["c1", "c2"], PodJson.Items(pod, "volumes", "containers").Select(PodJson.Name));
        Assert.Empty(PodJson.Items(new JsonObject(), "containers", "initContainers"));
        Assert.True(PodJson.Items(pod, "volumes").IsEmpty);
        Assert.False(PodJson.Items(pod, "volumes", "containers").IsEmpty);
        Assert.True(PodJson.Maps(new JsonArray("a", 1, null)).IsEmpty);
        Assert.True(PodJson.Maps(null).IsEmpty);
        Assert.Equal(["i1", "i2"], PodJson.Maps(pod["spec"]!["initContainers"]!.AsArray()).Select(PodJson.Name));
    }

    [Fact]
    public void A_list_that_changes_while_it_is_enumerated_is_refused()
    {
        var pod = Pod();
        var containers = pod["spec"]!["containers"]!.AsArray();

        Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var item in PodJson.Items(pod, "initContainers", "containers"))
            {
                if (PodJson.Name(item) == "c1")
                {
                    containers.Add(new JsonObject { ["name"] = "c3" });
                }
            }
        });
    }
}
