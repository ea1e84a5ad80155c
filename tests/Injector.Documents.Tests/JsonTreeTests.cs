using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Injector.Documents.Tests;

/// <summary><see cref="JsonTree"/> reads what <see cref="JsonNode.Parse(string, JsonNodeOptions?, JsonDocumentOptions)"/> reads, refuses what the strict review decoding refuses, and holds strings as strings.</summary>
public sealed class JsonTreeTests
{
    [Theory]
    [InlineData("""{"a":1,"b":-5,"c":0,"d":9223372036854775807,"e":-9223372036854775808}""")]
    [InlineData("""{"n":[-0, 1.0, 1e3, 1.5E-7, 12345678901234567890, 0.1]}""")]
    [InlineData("""{"s":"plain","u":"h\u00e9llo \u2028 \ud83d\ude00","q":"a\"b\\c\/d\n","html":"<a href='x'>&amp;</a>"}""")]
    [InlineData("""[null, true, false, {"x": null}, [], {}, [[[]]]]""")]
    [InlineData("""  "just a string"  """)]
    [InlineData("42")]
    [InlineData("null")]
    public void Reads_the_same_tree_and_text_as_the_node_parser(string json)
    {
        var expected = JsonNode.Parse(json);

        var actual = JsonTree.Parse(Encoding.UTF8.GetBytes(json));

        Assert.True(JsonNode.DeepEquals(expected, actual), $"{expected?.ToJsonString()} != {actual?.ToJsonString()}");
        Assert.Equal(expected?.ToJsonString() ?? "null", actual?.ToJsonString() ?? "null");
    }

    [Fact]
    public void Strings_and_integers_are_held_as_values_not_as_document_text()
    {
        var tree = (JsonObject)JsonTree.Parse("""{"s":"text","i":7,"f":1.5}"""u8)!;

        Assert.False(tree["s"]!.AsValue().TryGetValue<JsonElement>(out _));
        Assert.True(tree["s"]!.AsValue().TryGetValue<string>(out var s) && s == "text");
        Assert.True(tree["i"]!.AsValue().TryGetValue<long>(out var i) && i == 7);
        Assert.Equal("1.5", tree["f"]!.ToJsonString());
        Assert.NotNull(tree.Options);
    }

    [Fact]
    public void A_repeated_key_is_refused_in_the_serializers_words()
    {
        var e = Assert.ThrowsAny<JsonException>(() => JsonTree.Parse("""{"a":{"k":1,"k":2}}"""u8));

        Assert.StartsWith("Duplicate property 'k' encountered", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(64, true)]
    [InlineData(65, false)]
    public void Nesting_is_bounded(int depth, bool allowed)
    {
        var json = Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth));

        if (allowed)
        {
            Assert.NotNull(JsonTree.Parse(json, maxDepth: 64));
        }
        else
        {
            Assert.ThrowsAny<JsonException>(() => JsonTree.Parse(json, maxDepth: 64));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("""{"a":1} {"b":2}""")]
    [InlineData("""{"a":1""")]
    [InlineData("""{"a":01}""")]
    [InlineData("""{'a':1}""")]
    public void Malformed_json_is_refused(string json) =>
        Assert.ThrowsAny<JsonException>(() => JsonTree.Parse(Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData("""{"a":"\ud800"}""")]
    [InlineData("""{"\udc00":1}""")]
    public void A_lone_surrogate_is_malformed_json(string json) =>
        Assert.ThrowsAny<JsonException>(() => JsonTree.Parse(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Invalid_utf8_is_malformed_json() =>
        Assert.ThrowsAny<JsonException>(() => JsonTree.Parse([(byte)'"', 0xC3, 0x28, (byte)'"']));

    [Fact]
    public void Random_trees_round_trip()
    {
        var r = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            var text = RandomJson.Node(r, 0)?.ToJsonString() ?? "null";
            Assert.Equal(text, JsonTree.Parse(Encoding.UTF8.GetBytes(text))?.ToJsonString() ?? "null");
        }
    }
}
