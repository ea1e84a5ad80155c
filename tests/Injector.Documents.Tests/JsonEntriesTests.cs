using System.Text.Json.Nodes;

namespace Injector.Documents.Tests;

public sealed class JsonEntriesTests
{
    [Fact]
    public void Properties_and_elements_come_in_order_as_their_own_enumerators_give_them()
    {
        var obj = JsonNode.Parse("""{"b":1,"a":[1,"x",null,{"c":true}],"c":null}""")!.AsObject();
        var array = obj["a"]!.AsArray();

        Assert.Equal(obj.Select(p => (p.Key, p.Value)), Pairs(obj));
        Assert.Equal(array, Items(array));
        Assert.Empty(Pairs([]));
        Assert.Empty(Items([]));

        static List<(string, JsonNode?)> Pairs(JsonObject o)
        {
            var list = new List<(string, JsonNode?)>();
            foreach (var (key, value) in o.Pairs())
            {
                list.Add((key, value));
            }

            return list;
        }

        static List<JsonNode?> Items(JsonArray a)
        {
            var list = new List<JsonNode?>();
            foreach (var item in a.Items())
            {
                list.Add(item);
            }

            return list;
        }
    }

    [Fact]
    public void A_collection_that_grows_or_shrinks_under_the_enumeration_is_refused()
    {
        var obj = JsonNode.Parse("""{"a":1,"b":2}""")!.AsObject();
        var array = JsonNode.Parse("""[1,2]""")!.AsArray();

        Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var (key, _) in obj.Pairs())
            {
                obj[key + "x"] = 0;
            }
        });
        Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var item in array.Items())
            {
                array.RemoveAt(0);
            }
        });
    }
}
