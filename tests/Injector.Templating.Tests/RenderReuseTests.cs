using System.Text.Json.Nodes;

namespace Injector.Templating.Tests;

/// <summary>
/// The string-returning Execute reuses its writer, executor and builders per thread; these pin down that the reuse
/// never leaks state between renders, nested renders or threads, and that the fast paths print exactly what Go does.
/// </summary>
public class RenderReuseTests
{
    [Theory]
    [InlineData("", null, "")]
    [InlineData("plain text", null, "plain text")]
    [InlineData("{{ . }}", "one", "one")]
    [InlineData("{{ . }}{{ . }}", "ab", "abab")]
    [InlineData("x{{ . }}", "y", "xy")]
    [InlineData("{{ . }}x", "y", "yx")]
    [InlineData("{{ \"\" }}{{ . }}", "y", "y")]
    public void Single_and_multiple_writes(string text, string? data, string expected) =>
        Assert.Equal(expected, T.Render(text, data));

    [Theory]
    [InlineData("", null)]
    [InlineData("{{ . }}", "one")]
    [InlineData("x{{ . }}y{{ . }}", "z")]
    [InlineData("{{ range $i := until 40000 }}ab{{ $i }}{{ end }}", null)]
    public void The_span_a_render_hands_over_is_the_text_the_string_render_gives(string text, string? data)
    {
        var template = GoTemplate.Parse("t", text, T.Funcs);
        var expected = template.Execute(data);

        // Twice: the second render reuses the writer's buffer, which must hold only this render's text.
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(expected, template.Execute(data, TestContext.Current.CancellationToken, static span => span.ToString()));
        }

        Assert.Equal("short", GoTemplate.Parse("s", "sh{{ . }}", T.Funcs).Execute("ort", TestContext.Current.CancellationToken, static span => span.ToString()));
    }

    [Fact]
    public void Numbers_and_booleans_print_as_go_does()
    {
        Assert.Equal("-9223372036854775808 0 42 true false 1.5", T.Render("{{ .a }} {{ .b }} {{ .c }} {{ .t }} {{ .f }} {{ .d }}",
            T.Json("{\"a\":-9223372036854775808,\"b\":0,\"c\":42,\"t\":true,\"f\":false,\"d\":1.5}")));
    }

    [Fact]
    public void A_function_may_render_another_template_while_rendering()
    {
        var inner = GoTemplate.Parse("inner", "<{{ toJSON (index . 0) }}>", T.Funcs);
        var funcs = T.Funcs.With("wrap", a => inner.Execute(new List<object?> { a[0] }) + inner.Execute(new List<object?> { "x" }));
        var outer = GoTemplate.Parse("outer", "{{ $v := \"a\" }}[{{ wrap $v }}|{{ wrap 1 | wrap }}|{{ $v }}]", funcs);
        Assert.Equal("[<\"a\"><\"x\">|<\"\\u003c1\\u003e\\u003c\\\"x\\\"\\u003e\"><\"x\">|a]", outer.Execute(null));
        // The same template renders inside itself through a function.
        GoTemplate? self = null;
        var recursive = T.Funcs.With("again", a => (long)a[0]! > 0 ? self!.Execute((long)a[0]! - 1) : "0");
        self = GoTemplate.Parse("self", "{{ . }}({{ again . }})", recursive);
        Assert.Equal("3(2(1(0(0))))", self.Execute(3L));
    }

    [Fact]
    public void A_failed_render_leaves_nothing_for_the_next()
    {
        var t = GoTemplate.Parse("t", "{{ $a := .a }}start {{ .a }}{{ if .fail }}{{ index .a 5 }}{{ end }} end", T.Funcs);
        for (var i = 0; i < 3; i++)
        {
            Assert.Throws<TemplateExecutionException>(() => t.Execute(T.Json("{\"a\":[1],\"fail\":true}")));
            Assert.Equal("start [1] end", t.Execute(T.Json("{\"a\":[1],\"fail\":false}")));
        }
    }

    [Fact]
    public void Template_calls_see_only_their_own_variables()
    {
        const string text = "{{ define \"inner\" }}{{ $x := \"in\" }}{{ $ }}{{ $x }}{{ range $i, $e := . }}{{ $i }}{{ $e }}{{ end }}{{ end }}"
            + "{{ $x := \"out\" }}{{ range $k, $v := .m }}{{ template \"inner\" $v }}{{ $k }}{{ $x }}{{ end }}{{ $x }}{{ $.n }}";
        Assert.Equal("[a]in0akout[b c]in0b1cmoutoutN", T.Render(text, T.Json("{\"m\":{\"k\":[\"a\"],\"m\":[\"b\",\"c\"]},\"n\":\"N\"}")));
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("", "\"\"")]
    [InlineData("a<b>&c", "\"a\\u003cb\\u003e\\u0026c\"")]
    [InlineData("q\"b\\s", "\"q\\\"b\\\\s\"")]
    [InlineData("l\nt\tr\r", "\"l\\nt\\tr\\r\"")]
    [InlineData("c\u0001\u001f\u2028\u2029", "\"c\\u0001\\u001f\\u2028\\u2029\"")]
    [InlineData("ünïcødé ☃", "\"ünïcødé ☃\"")]
    public void ToJSON_of_strings(string input, string expected) =>
        Assert.Equal(expected, T.Render("{{ toJSON . }}", input));

    [Fact]
    public void Builders_are_not_shared_between_nested_formatting()
    {
        // printf formats a map with %v (which builds its own string) inside its own output.
        Assert.Equal("x=map[a:1 b:[2 3]] y=\"s\" z={\"a\":1,\"b\":[2,3]}",
            T.Render("{{ printf \"x=%v y=%q z=%s\" .m \"s\" (toJSON .m) }}", T.Json("{\"m\":{\"b\":[2,3],\"a\":1}}")));
        Assert.Equal("%!d(string=a)%!(EXTRA int=1)", T.Render("{{ printf \"%d\" \"a\" 1 }}"));
    }

    [Fact]
    public void OmitNil_keeps_key_order_and_drops_nils()
    {
        var d = new Dictionary<string, object?> { ["z"] = 1L, ["n"] = null, ["a"] = "x", ["m"] = null };
        var funcs = T.Funcs.With("keysInOrder", a => string.Join(",", ((IDictionary<string, object?>)a[0]!).Keys));
        Assert.Equal("a,z", GoTemplate.Parse("t", "{{ keysInOrder (omitNil .) }}", funcs).Execute(d));
    }

    [Fact]
    public void Maps_and_lists_of_every_supported_type_behave_alike()
    {
        var data = new Dictionary<string, object?>
        {
            ["dict"] = new Dictionary<string, object?> { ["k"] = 1 },
            ["ro"] = new System.Collections.ObjectModel.ReadOnlyDictionary<string, object?>(new Dictionary<string, object?> { ["k"] = 2 }),
            ["sorted"] = new SortedList<string, object?> { ["k"] = 3 },
            ["ht"] = new System.Collections.Hashtable { ["k"] = 4 },
            ["json"] = new JsonObject { ["k"] = 5 },
            ["arr"] = new object?[] { 6 },
            ["list"] = new List<object?> { 7 },
            ["jarr"] = new JsonArray(8),
            ["ints"] = new[] { 9 },
        };
        Assert.Equal("1 2 3 4 5 | 6 7 8 9 | 1 1 1 1 1 1 1 1 1",
            T.Render("{{ .dict.k }} {{ .ro.k }} {{ .sorted.k }} {{ .ht.k }} {{ .json.k }} | {{ index .arr 0 }} {{ index .list 0 }} {{ index .jarr 0 }} {{ index .ints 0 }} | "
                + "{{ len .dict }} {{ len .ro }} {{ len .sorted }} {{ len .ht }} {{ len .json }} {{ len .arr }} {{ len .list }} {{ len .jarr }} {{ len .ints }}", data));
    }

    [Fact]
    public void Concurrent_renders_with_nested_renders_agree()
    {
        var inner = GoTemplate.Parse("inner", "{{ toJSON (index . 0) }}", T.Funcs);
        var funcs = T.Funcs.With("j", a => inner.Execute(new List<object?> { a[0] }));
        var t = GoTemplate.Parse("p", "{{ range $i, $e := .l }}{{ j $e }}{{ j $i }}{{ printf \"%s-%d\" $e $i }};{{ end }}", funcs);
        var data = T.Json("{\"l\":[\"a\",\"b<\",\"c\"]}");
        var expected = t.Execute(data);
        Assert.Equal("\"a\"0a-0;\"b\\u003c\"1b<-1;\"c\"2c-2;", expected);
        var results = new string[8];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            for (var k = 0; k < 300; k++)
            {
                results[i] = t.Execute(data);
            }
        });
        Assert.All(results, r => Assert.Equal(expected, r));
    }
}
