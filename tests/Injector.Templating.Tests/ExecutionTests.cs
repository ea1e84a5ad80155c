using System.Text.Json.Nodes;

namespace Injector.Templating.Tests;

public class ExecutionTests
{
    [Fact]
    public void Trimming_removes_all_adjacent_whitespace()
    {
        Assert.Equal("a-b", T.Render("a  \n\t {{- \"-\" -}} \n\n b"));
        Assert.Equal("1 < 2", T.Render("{{ 1 }} < {{ 2 }}"));
        Assert.Equal("-3", T.Render("{{-3}}"));
    }

    [Fact]
    public void If_else_if_chain()
    {
        const string text = "{{ if eq .n 1 }}one{{ else if eq .n 2 }}two{{ else if eq .n 3 }}three{{ else }}many{{ end }}";
        Assert.Equal("one", T.Render(text, T.Json("{\"n\":1}")));
        Assert.Equal("two", T.Render(text, T.Json("{\"n\":2}")));
        Assert.Equal("three", T.Render(text, T.Json("{\"n\":3}")));
        Assert.Equal("many", T.Render(text, T.Json("{\"n\":9}")));
    }

    [Fact]
    public void With_else_with_else()
    {
        const string text = "{{ with .a }}A={{ . }}{{ else with .b }}B={{ . }}{{ else }}none{{ end }}";
        Assert.Equal("A=1", T.Render(text, T.Json("{\"a\":1,\"b\":2}")));
        Assert.Equal("B=2", T.Render(text, T.Json("{\"b\":2}")));
        Assert.Equal("none", T.Render(text, T.Json("{\"a\":\"\"}")));
    }

    [Fact]
    public void Range_over_list_map_empty_and_int()
    {
        Assert.Equal("0=a 1=b ", T.Render("{{ range $i, $e := .l }}{{ $i }}={{ $e }} {{ end }}", T.Json("{\"l\":[\"a\",\"b\"]}")));
        Assert.Equal("a:1 b:2 ", T.Render("{{ range $k, $v := .m }}{{ $k }}:{{ $v }} {{ end }}", T.Json("{\"m\":{\"b\":2,\"a\":1}}")));
        Assert.Equal("12", T.Render("{{ range .m }}{{ . }}{{ end }}", T.Json("{\"m\":{\"b\":2,\"a\":1}}")));
        Assert.Equal("empty", T.Render("{{ range .l }}x{{ else }}empty{{ end }}", T.Json("{\"l\":[]}")));
        Assert.Equal("empty", T.Render("{{ range .missing }}x{{ else }}empty{{ end }}", T.Json("{}")));
        Assert.Equal("012", T.Render("{{ range 3 }}{{ . }}{{ end }}"));
    }

    [Fact]
    public void Range_break_and_continue()
    {
        Assert.Equal("13", T.Render("{{ range .l }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ if eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}", T.Json("{\"l\":[1,2,3,4,5]}")));
    }

    [Fact]
    public void Variables_declare_assign_and_root()
    {
        Assert.Equal("2", T.Render("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}"));
        Assert.Equal("root", T.Render("{{ range .l }}{{ $.name }}{{ end }}", T.Json("{\"name\":\"root\",\"l\":[1]}")));
        Assert.Equal("v", T.Render("{{ $m := .m }}{{ $m.k }}", T.Json("{\"m\":{\"k\":\"v\"}}")));
        Assert.Equal("3", T.Render("{{ $n := 0 }}{{ range .l }}{{ $n = add $n 1 }}{{ end }}{{ $n }}", T.Json("{\"l\":[1,2,3]}")));
    }

    [Fact]
    public void Define_template_and_block()
    {
        const string text = "{{ define \"greet\" }}hi {{ . }}{{ end }}{{ template \"greet\" .name }}|{{ block \"b\" .n }}n={{ . }}{{ end }}";
        Assert.Equal("hi bob|n=3", T.Render(text, T.Json("{\"name\":\"bob\",\"n\":3}")));
        var t = GoTemplate.Parse("main", text, T.Funcs);
        Assert.Equal("hi x", t.ExecuteTemplate("greet", "x"));
    }

    [Fact]
    public void Undefined_template_is_an_execution_error()
    {
        Assert.Equal("template: t:1:12: executing \"t\" at <{{template \"nope\"}}>: template \"nope\" not defined", T.ExecError("{{ template \"nope\" }}"));
    }

    [Fact]
    public void Field_access_falls_back_to_camel_case()
    {
        var pod = T.Json("{\"spec\":{\"containers\":[{\"name\":\"app\"}]},\"metadata\":{\"annotations\":{\"a\":\"b\"}}}");
        Assert.Equal("app", T.Render("{{ (index .Spec.Containers 0).Name }}", pod));
        Assert.Equal("b", T.Render("{{ .Metadata.Annotations.a }}", pod));
    }

    [Fact]
    public void Dictionaries_work_like_json_objects()
    {
        var data = new Dictionary<string, object?> { ["name"] = "x", ["count"] = 3, ["inner"] = new Dictionary<string, object?> { ["k"] = 1.5 } };
        Assert.Equal("x 3 1.5", T.Render("{{ .Name }} {{ .count }} {{ .inner.k }}", data));
    }

    [Fact]
    public void Missing_keys_print_no_value_and_chain_quietly()
    {
        Assert.Equal("<no value> <no value> false", T.Render("{{ .nope }} {{ .nope.deeper.still }} {{ if .nope }}true{{ else }}false{{ end }}", T.Json("{}")));
    }

    [Fact]
    public void Nil_values_print_no_value_but_print_shows_nil()
    {
        Assert.Equal("<no value> <nil>", T.Render("{{ .x }} {{ print .x }}", T.Json("{\"x\":null}")));
    }

    [Fact]
    public void Field_access_on_nil_is_an_error()
    {
        Assert.Equal(
            "template: t:1:3: executing \"t\" at <.a.b>: nil pointer evaluating interface {}.b",
            T.ExecError("{{ .a.b }}", T.Json("{\"a\":null}")));
    }

    [Fact]
    public void Field_access_on_scalar_is_an_error()
    {
        Assert.Equal("template: t:1:3: executing \"t\" at <.a.b>: can't evaluate field b in type string", T.ExecError("{{ .a.b }}", T.Json("{\"a\":\"s\"}")));
    }

    [Fact]
    public void A_string_answers_String_with_itself_like_a_protobuf_enum()
    {
        Assert.Equal("TPROXY true", T.Render("{{ .mode.String }} {{ eq .mode.String \"TPROXY\" }}", T.Json("{\"mode\":\"TPROXY\"}")));
    }

    private sealed class Pod : ITemplateFields
    {
        public bool TryGetField(string name, out object? value)
        {
            switch (name)
            {
                case "Name":
                    value = "pod-1";
                    return true;
                case "GetValue":
                    value = 42;
                    return true;
                case "Label":
                    value = new TemplateFunction(static a => "label:" + a[0]);
                    return true;
                default:
                    value = null;
                    return false;
            }
        }
    }

    [Fact]
    public void Template_fields_expose_fields_and_methods()
    {
        Assert.Equal("pod-1 42 label:x", T.Render("{{ .Name }} {{ .GetValue }} {{ .Label \"x\" }}", new Pod()));
        Assert.Equal("template: t:1:3: executing \"t\" at <.Other>: can't evaluate field Other in type Pod", T.ExecError("{{ .Other }}", new Pod()));
    }

    [Fact]
    public void Function_errors_are_wrapped_with_position()
    {
        Assert.Equal(
            "template: t:2:3: executing \"t\" at <required \"need x\" .x>: error calling required: need x",
            T.ExecError("\n{{ required \"need x\" .x }}", T.Json("{}")));
        Assert.Equal("template: t:1:3: executing \"t\" at <fail \"boom\">: error calling fail: boom", T.ExecError("{{ fail \"boom\" }}"));
    }

    [Fact]
    public void Pipelines_pass_the_last_argument()
    {
        var funcs = T.Funcs.With("join3", static a => string.Join("-", a));
        Assert.Equal("a-b-c", T.Render("{{ \"c\" | join3 \"a\" \"b\" }}", null, funcs));
        Assert.Equal("X", T.Render("{{ .x | default \"X\" }}", T.Json("{}")));
        Assert.Equal("  a\n  b", T.Render("{{ \"a\\nb\" | indent 2 }}"));
    }

    [Fact]
    public void With_overrides_existing_functions_without_changing_the_original()
    {
        var funcs = T.Funcs.With("upper", static _ => "overridden");
        Assert.Equal("overridden", T.Render("{{ upper \"a\" }}", null, funcs));
        Assert.Equal("A", T.Render("{{ upper \"a\" }}"));
        Assert.True(funcs.Contains("upper"));
        Assert.False(T.Funcs.Contains("toYaml"));
    }

    [Fact]
    public void And_or_short_circuit_and_return_deciding_value()
    {
        Assert.Equal("b 0 a", T.Render("{{ or \"\" \"b\" }} {{ and 1 0 2 }} {{ or \"a\" (fail \"not evaluated\") }}"));
        Assert.Equal("false", T.Render("{{ and false (index .m \"x\").y }}", T.Json("{\"m\":{}}")));
    }

    [Fact]
    public void Parenthesised_pipelines_and_chains()
    {
        Assert.Equal("v", T.Render("{{ (dict \"k\" \"v\").k }}"));
        Assert.Equal("5", T.Render("{{ (add 2 3) }}"));
    }

    [Fact]
    public void Builtins_index_slice_len_call()
    {
        var data = T.Json("{\"l\":[[1,2],[3,4]],\"m\":{\"a\":{\"b\":\"c\"}},\"s\":\"héllo\"}");
        Assert.Equal("3 c 6 [2] ell <no value>", T.Render("{{ index .l 1 0 }} {{ index .m \"a\" \"b\" }} {{ len .s }} {{ slice (index .l 0) 1 }} {{ slice \"hello\" 1 4 }} {{ index .m \"zz\" }}", data));
        var funcs = T.Funcs.With("fn", static _ => new TemplateFunction(static a => "called " + a[0]));
        Assert.Equal("called x", T.Render("{{ call fn \"x\" }}", null, funcs));
        Assert.Contains("error calling index: index out of range: 5", T.ExecError("{{ index .l 5 }}", data), StringComparison.Ordinal);
    }

    [Fact]
    public void Escapers()
    {
        Assert.Equal("&lt;a&gt; &amp; &#34;q&#34; \\u003Cb\\u003E \\'x\\' a+b%26c%3D", T.Render("{{ html \"<a> & \\\"q\\\"\" }} {{ js \"<b> 'x'\" }} {{ urlquery \"a b&c=\" }}"));
    }

    [Fact]
    public void Print_family()
    {
        Assert.Equal("a1 2b|1 2\n|x=1", T.Render("{{ print \"a\" 1 2 \"b\" }}|{{ println 1 2 }}|{{ printf \"x=%d\" 1 }}"));
    }

    public static TheoryData<string, bool> TruthTable => new()
    {
        { "false", false },
        { "true", true },
        { "0", false },
        { "1", true },
        { "0.0", false },
        { "0.5", true },
        { "\"\"", false },
        { "\"a\"", true },
        { "[]", false },
        { "[0]", true },
        { "{}", false },
        { "{\"a\":null}", true },
        { "null", false },
    };

    [Theory]
    [MemberData(nameof(TruthTable))]
    public void Truthiness(string json, bool expected)
    {
        var data = JsonNode.Parse("{\"v\":" + json + "}");
        Assert.Equal(expected ? "T" : "F", T.Render("{{ if .v }}T{{ else }}F{{ end }}", data));
        Assert.Equal(expected ? "false" : "true", T.Render("{{ not .v }}", data));
    }

    [Fact]
    public void Missing_is_false()
    {
        Assert.Equal("F", T.Render("{{ if .v }}T{{ else }}F{{ end }}", T.Json("{}")));
    }

    [Theory]
    [InlineData("eq 1 1", "true")]
    [InlineData("eq 1 2 3 1", "true")]
    [InlineData("eq 1 2 3", "false")]
    [InlineData("eq \"a\" \"a\"", "true")]
    [InlineData("eq .i 3", "true")]
    [InlineData("eq .f 1.5", "true")]
    [InlineData("eq .i 3.0", "true")]
    [InlineData("ne 1 2", "true")]
    [InlineData("lt 1 2", "true")]
    [InlineData("lt 1.5 1", "false")]
    [InlineData("le 2 2", "true")]
    [InlineData("gt \"b\" \"a\"", "true")]
    [InlineData("ge 1 2", "false")]
    [InlineData("eq .missing \"x\"", "false")]
    [InlineData("eq .n nil", "true")]
    [InlineData("eq true true", "true")]
    public void Comparisons(string expr, string expected)
    {
        Assert.Equal(expected, T.Render("{{ " + expr + " }}", T.Json("{\"i\":3,\"f\":1.5,\"n\":null}")));
    }

    [Theory]
    [InlineData("eq \"a\" 1", "incompatible types for comparison")]
    [InlineData("lt true false", "invalid type for comparison")]
    [InlineData("eq .l .l", "non-comparable type")]
    public void Comparison_errors(string expr, string expected)
    {
        Assert.Contains(expected, T.ExecError("{{ " + expr + " }}", T.Json("{\"l\":[1]}")), StringComparison.Ordinal);
    }

    [Fact]
    public void Execute_to_writer_and_null_data()
    {
        var t = GoTemplate.Parse("w", "a{{ . }}b", T.Funcs);
        using var sw = new StringWriter();
        t.Execute(sw, null);
        Assert.Equal("a<no value>b", sw.ToString());
    }

    [Fact]
    public void Thread_safe_rendering()
    {
        var t = GoTemplate.Parse("p", "{{ range $i, $e := .l }}{{ $i }}:{{ $e | upper }};{{ end }}{{ toJSON .m }}", T.Funcs);
        var data = T.Json("{\"l\":[\"a\",\"b\",\"c\"],\"m\":{\"z\":1,\"a\":[true,null]}}");
        var expected = t.Execute(data);
        Assert.Equal("0:A;1:B;2:C;{\"a\":[true,null],\"z\":1}", expected);
        var results = new string[8];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            for (var k = 0; k < 200; k++)
            {
                results[i] = t.Execute(data);
            }
        });
        Assert.All(results, r => Assert.Equal(expected, r));
    }
}
