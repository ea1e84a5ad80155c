using System.Text.Json;
using System.Text.Json.Nodes;

namespace Injector.Documents.Tests;

public sealed class GoYamlReaderTests
{
    [Theory]
    [InlineData("1", "long:1")]
    [InlineData("-12", "long:-12")]
    [InlineData("+7", "long:7")]
    [InlineData("1_000", "long:1000")]
    [InlineData("0x1F", "long:31")]
    [InlineData("0o17", "long:15")]
    [InlineData("017", "long:15")]
    [InlineData("0b101", "long:5")]
    [InlineData("08", "double:8")]
    [InlineData("9223372036854775808", "double:9.223372036854776E+18")]
    [InlineData("1.5", "double:1.5")]
    [InlineData("1e3", "double:1000")]
    [InlineData(".5", "double:0.5")]
    [InlineData("-.Inf", "double:-Infinity")]
    [InlineData(".nan", "double:NaN")]
    [InlineData("true", "bool:True")]
    [InlineData("Yes", "bool:True")]
    [InlineData("ON", "bool:True")]
    [InlineData("y", "bool:True")]
    [InlineData("NO", "bool:False")]
    [InlineData("off", "bool:False")]
    [InlineData("n", "bool:False")]
    [InlineData("~", "null")]
    [InlineData("null", "null")]
    [InlineData("NULL", "null")]
    [InlineData("", "null")]
    [InlineData("'1'", "string:1")]
    [InlineData("\"true\"", "string:true")]
    [InlineData("!!str 1", "string:1")]
    [InlineData("2024-01-01", "string:2024-01-01")]
    [InlineData("1:20", "string:1:20")]
    [InlineData("hello", "string:hello")]
    [InlineData("0x", "string:0x")]
    [InlineData("1.2.3", "string:1.2.3")]
    [InlineData("|\n  a\n  b\n", "string:a\nb\n")]
    [InlineData(">-\n  a\n  b", "string:a b")]
    public void Scalars_resolve_like_go_yaml_v2(string yamlValue, string expected)
    {
        Assert.Equal(expected, Describe(GoYaml.Parse("v: " + yamlValue)!["v"]));
    }

    [Fact]
    public void Anchors_aliases_and_merge_keys_are_resolved()
    {
        var node = GoYaml.Parse("base: &b {x: 1, z: 2}\nuse:\n  <<: *b\n  z: 3\nlist: [*b, *b]\n")!;
        Assert.Equal("""{"base":{"x":1,"z":2},"use":{"z":3,"x":1},"list":[{"x":1,"z":2},{"x":1,"z":2}]}""", node.ToJsonString());
    }

    [Fact]
    public void Yaml_1_1_boolean_words_turn_keys_into_true_and_false()
    {
        // go-yaml v2 resolves the key "y" to a boolean, so sigs.k8s.io/yaml names it "true".
        Assert.Equal("""{"true":1,"false":2}""", GoYaml.Parse("y: 1\nn: 2\n")!.ToJsonString());
    }

    [Fact]
    public void Keys_become_strings()
    {
        var node = GoYaml.Parse("1: a\ntrue: b\n~: c\n1.5: d\n")!;
        Assert.Equal("""{"1":"a","true":"b","null":"c","1.5":"d"}""", node.ToJsonString());
    }

    [Fact]
    public void Json_text_is_yaml()
    {
        var json = "{\n\t\"a\": [1, 2.5, \"x\", true, null],\n\t\"b\": {\"c\": \"d: e\"}\n}";
        var node = GoYaml.Parse(json)!;
        Assert.Equal("""{"a":[1,2.5,"x",true,null],"b":{"c":"d: e"}}""", node.ToJsonString());
        Assert.Equal("long:1", Describe(node["a"]![0]));
    }

    [Fact]
    public void ParseAll_skips_documents_without_content()
    {
        var docs = GoYaml.ParseAll("# header\n---\na: 1\n---\n# only a comment\n---\n~\n---\n- x\n");
        Assert.Equal(["""{"a":1}""", "null", """["x"]"""], docs.Select(d => d?.ToJsonString() ?? "null"));
        Assert.Null(GoYaml.Parse("# nothing\n"));
        Assert.Empty(GoYaml.ParseAll(string.Empty));
    }

    [Fact]
    public void Parse_rejects_several_documents()
    {
        Assert.Throws<YamlFormatException>(() => GoYaml.Parse("a: 1\n---\nb: 2\n"));
    }

    [Fact]
    public void Syntax_errors_carry_line_and_column()
    {
        var e = Assert.Throws<YamlFormatException>(() => GoYaml.Parse("a: 1\nb: [1, 2\nc: 3\n"));
        Assert.True(e.Line > 0);
        Assert.Contains("line", e.Message, StringComparison.Ordinal);
        Assert.Throws<YamlFormatException>(() => GoYaml.Parse("a: *missing\n"));
    }

    [Fact]
    public void Written_yaml_reads_back_to_the_same_tree()
    {
        var node = JsonNode.Parse("""{"s":["15001","true","","*","a: b","x\ny\n"," z","é"],"n":[1,-2,1.5,1e21],"b":[true,false,null],"m":{"k":{}}}""");
        var back = GoYaml.Parse(GoYaml.Write(node));
        Assert.True(JsonNode.DeepEquals(node, back), back?.ToJsonString());
    }

    private static string Describe(JsonNode? node)
    {
        if (node is null)
        {
            return "null";
        }

        var v = node.AsValue();
        return v.GetValueKind() switch
        {
            JsonValueKind.String => "string:" + v.GetValue<string>(),
            JsonValueKind.True or JsonValueKind.False => "bool:" + v.GetValue<bool>(),
            _ when v.TryGetValue<long>(out var l) => "long:" + l,
            _ => "double:" + v.GetValue<double>().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
