using System.Text.Json.Nodes;

namespace Injector.Documents.Tests;

public sealed class GoYamlWriterTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("hello world", "hello world")]
    [InlineData("$(POD_NAMESPACE).svc.cluster.local", "$(POD_NAMESPACE).svc.cluster.local")]
    [InlineData("15001", "\"15001\"")]
    [InlineData("true", "\"true\"")]
    [InlineData("yes", "\"yes\"")]
    [InlineData("on", "\"on\"")]
    [InlineData("y", "\"y\"")]
    [InlineData("Null", "\"Null\"")]
    [InlineData("~", "\"~\"")]
    [InlineData("", "\"\"")]
    [InlineData("1.5", "\"1.5\"")]
    [InlineData("1e3", "\"1e3\"")]
    [InlineData(".inf", "\".inf\"")]
    [InlineData("0x1F", "\"0x1F\"")]
    [InlineData("1_000", "\"1_000\"")]
    [InlineData("08", "\"08\"")]
    [InlineData("2024-01-02", "\"2024-01-02\"")]
    [InlineData("1:20", "\"1:20\"")]
    [InlineData("*", "'*'")]
    [InlineData("*/1 * * * *", "'*/1 * * * *'")]
    [InlineData("-x", "-x")]
    [InlineData("- x", "'- x'")]
    [InlineData("-", "'-'")]
    [InlineData("a: b", "'a: b'")]
    [InlineData("key:", "'key:'")]
    [InlineData(":x", ":x")]
    [InlineData("? x", "'? x'")]
    [InlineData("?x", "?x")]
    [InlineData("a #b", "'a #b'")]
    [InlineData("a#b", "a#b")]
    [InlineData(" lead", "' lead'")]
    [InlineData("trail ", "'trail '")]
    [InlineData("it's", "it's")]
    [InlineData("'q'", "'''q'''")]
    [InlineData("{}", "'{}'")]
    [InlineData("[a]", "'[a]'")]
    [InlineData("a,b", "a,b")]
    [InlineData("@x", "'@x'")]
    [InlineData("%x", "'%x'")]
    [InlineData("`x", "'`x'")]
    [InlineData("!x", "'!x'")]
    [InlineData("&x", "'&x'")]
    [InlineData("|x", "'|x'")]
    [InlineData(">x", "'>x'")]
    [InlineData("\"x", "'\"x'")]
    [InlineData("---", "'---'")]
    [InlineData("tab\there", "\"tab\\there\"")]
    [InlineData("bell\a", "\"bell\\a\"")]
    [InlineData("é", "é")]
    [InlineData("\U0001F600", "\"\\U0001F600\"")]
    [InlineData("\u00a0x", "\u00a0x")]
    [InlineData("\u0085x", "\"\\Nx\"")]
    [InlineData("{\"a\":null}", "'{\"a\":null}'")]
    public void Strings_are_quoted_like_go_yaml(string value, string expected)
    {
        Assert.Equal($"v: {expected}\n", GoYaml.Write(new JsonObject { ["v"] = value }));
    }

    [Theory]
    [InlineData("true", "\"true\": 1\n")]
    [InlineData("15001", "\"15001\": 1\n")]
    [InlineData("", "\"\": 1\n")]
    [InlineData("*", "'*': 1\n")]
    [InlineData("app.kubernetes.io/name", "app.kubernetes.io/name: 1\n")]
    public void Keys_follow_the_same_quoting_rules(string key, string expected)
    {
        Assert.Equal(expected, GoYaml.Write(new JsonObject { [key] = 1L }));
    }

    [Fact]
    public void Keys_sort_in_go_yaml_natural_order()
    {
        var obj = new JsonObject();
        foreach (var key in new[] { "b", "a10", "a", "9", "a2", "A", "_x", "10", "1", "a0" })
        {
            obj[key] = 0L;
        }

        var keys = GoYaml.Write(obj).TrimEnd('\n').Split('\n').Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)].Trim('"'));
        Assert.Equal(["_x", "1", "9", "10", "A", "a", "a0", "a2", "a10", "b"], keys);
    }

    [Theory]
    [InlineData("a\nb\n", "v: |\n  a\n  b\n")]
    [InlineData("a\nb", "v: |-\n  a\n  b\n")]
    [InlineData("a\n\nb\n", "v: |\n  a\n\n  b\n")]
    [InlineData(" a\nb", "v: |2-\n   a\n  b\n")]
    [InlineData("\na\n", "v: |2\n\n  a\n")]
    [InlineData("a\n\n", "v: |+\n  a\n\n...\n")]
    [InlineData("a \nb", "v: \"a \\nb\"\n")]
    [InlineData("a\tb\nc", "v: \"a\\tb\\nc\"\n")]
    public void Multi_line_strings_use_literal_blocks_when_libyaml_allows(string value, string expected)
    {
        Assert.Equal(expected, GoYaml.Write(new JsonObject { ["v"] = value }));
    }

    [Fact]
    public void Literal_blocks_indent_relative_to_their_parent()
    {
        var node = JsonNode.Parse("""{"env":[{"name":"X","value":"{}\n"}]}""");
        Assert.Equal("env:\n- name: X\n  value: |\n    {}\n", GoYaml.Write(node));
    }

    [Fact]
    public void Nested_collections_follow_go_yaml_layout()
    {
        var node = JsonNode.Parse("""{"a":[[1,2],[3]],"b":[{"x":1,"z":[1]}],"c":{"d":{"e":"f"}},"e":{},"l":[],"n":null,"t":true}""");
        Assert.Equal(
            "a:\n- - 1\n  - 2\n- - 3\nb:\n- x: 1\n  z:\n  - 1\nc:\n  d:\n    e: f\ne: {}\nl: []\n\"n\": null\nt: true\n",
            GoYaml.Write(node));
    }

    [Fact]
    public void Roots_can_be_any_node()
    {
        Assert.Equal("null\n", GoYaml.Write(null));
        Assert.Equal("{}\n", GoYaml.Write(new JsonObject()));
        Assert.Equal("[]\n", GoYaml.Write(new JsonArray()));
        Assert.Equal("- a\n- - b\n", GoYaml.Write(JsonNode.Parse("""["a",["b"]]""")));
        Assert.Equal("|-\n  a\n  b\n", GoYaml.Write(JsonValue.Create("a\nb")));
    }

    [Theory]
    [InlineData(1.5, "1.5")]
    [InlineData(100.0, "100")]
    [InlineData(1e6, "1e+06")]
    [InlineData(123456.0, "123456")]
    [InlineData(1234567.0, "1.234567e+06")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(1e21, "1e+21")]
    [InlineData(-0.5, "-0.5")]
    [InlineData(double.NaN, ".nan")]
    [InlineData(double.PositiveInfinity, ".inf")]
    [InlineData(double.NegativeInfinity, "-.inf")]
    public void Doubles_use_go_shortest_g_format(double value, string expected)
    {
        Assert.Equal($"v: {expected}\n", GoYaml.Write(new JsonObject { ["v"] = value }));
    }

    [Fact]
    public void Integers_are_decimal_whatever_their_clr_type()
    {
        var node = new JsonObject { ["a"] = 1L, ["b"] = 2, ["c"] = JsonNode.Parse("9007199254740993") };
        Assert.Equal("a: 1\nb: 2\nc: 9007199254740993\n", GoYaml.Write(node));
    }

    [Fact]
    public void Long_flow_scalars_fold_at_eighty_columns_like_libyaml()
    {
        var words = string.Join(' ', Enumerable.Repeat("word", 30));
        var yaml = GoYaml.Write(new JsonObject { ["k"] = "[" + words + "]" });
        Assert.StartsWith("k: '[word word", yaml, StringComparison.Ordinal);
        Assert.Contains("\n  word", yaml, StringComparison.Ordinal);
        Assert.Equal("[" + words + "]", GoYaml.Parse(yaml)!["k"]!.GetValue<string>());
    }

    [Fact]
    public void Very_long_keys_use_the_explicit_key_form()
    {
        var key = new string('k', 129);
        Assert.Equal($"? {key}\n: v\n", GoYaml.Write(new JsonObject { [key] = "v" }));
    }
}
