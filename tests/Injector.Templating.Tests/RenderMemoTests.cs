using System.Text.Json.Nodes;

namespace Injector.Templating.Tests;

/// <summary>
/// A render memo finds a kept render for data that answers every read alike, and only then: for each kind of read a
/// change where the template looks misses and a change elsewhere finds it, and in every case the memo's text is the
/// text a fresh render gives.
/// </summary>
public class RenderMemoTests
{
    /// <summary>A template with its memo: a render is found, or rendered, recorded and kept.</summary>
    private sealed class Memoized(string text, TemplateFunctions? functions = null)
    {
        private readonly GoTemplate _template = GoTemplate.Parse("t", text, functions ?? T.Funcs);

        public RenderMemo<string> Memo { get; } = new();

        public TemplateReads? LastReads { get; private set; }

        public (string Text, bool Found) Render(object? data)
        {
            var fresh = _template.Execute(data);
            if (Memo.TryFind(data, out var kept))
            {
                Assert.Equal(fresh, kept);
                return (kept, true);
            }

            var reads = new TemplateReads();
            var rendered = _template.Execute(data, TestContext.Current.CancellationToken, static span => span.ToString(), reads);
            Assert.Equal(fresh, rendered);
            Memo.Add(reads, rendered);
            LastReads = reads;
            return (rendered, false);
        }
    }

    [Theory]
    // A field and the maps on its way.
    [InlineData("{{ .a.b }}", """{"a":{"b":1,"c":2}}""", """{"a":{"b":1,"c":3}}""", true)]
    [InlineData("{{ .a.b }}", """{"a":{"b":1,"c":2}}""", """{"a":{"b":2,"c":2}}""", false)]
    [InlineData("{{ .a.b }}", """{"a":{"b":1}}""", """{"a":{"b":1.0}}""", false)]
    [InlineData("{{ .a.b }}", """{"a":{"b":"1"}}""", """{"a":{"b":1}}""", false)]
    [InlineData("{{ .a.b }}", """{"a":{"b":1}}""", """{"a":{}}""", false)]
    [InlineData("{{ .a.b }}", """{"a":{"b":null}}""", """{"a":{}}""", false)]
    [InlineData("{{ .A.B }}", """{"a":{"b":1}}""", """{"A":{"b":1}}""", false)]
    [InlineData("{{ .A.B }}", """{"a":{"b":1}}""", """{"A":{"B":2},"a":{"b":1}}""", false)]
    // index: each key on the way; an element and the length it needs.
    [InlineData("""{{ index .m "k" }}""", """{"m":{"k":"v","o":1}}""", """{"m":{"k":"v","o":2}}""", true)]
    [InlineData("""{{ index .m "k" }}""", """{"m":{"k":"v"}}""", """{"m":{"k":"w"}}""", false)]
    [InlineData("""{{ index .m "k" }}""", """{"m":{"k":"v"}}""", """{"m":{}}""", false)]
    [InlineData("""{{ index .m "k" "j" }}""", """{"m":{"k":{"j":1,"x":1}}}""", """{"m":{"k":{"j":1,"x":2}}}""", true)]
    [InlineData("""{{ index .m "k" "j" }}""", """{"m":{"k":{"j":1}}}""", """{"m":{"k":{"j":2}}}""", false)]
    [InlineData("{{ (index .l 1).n }}", """{"l":[{"n":1},{"n":2,"x":1}]}""", """{"l":[{"n":9},{"n":2,"x":2}]}""", true)]
    [InlineData("{{ (index .l 1).n }}", """{"l":[{"n":1},{"n":2}]}""", """{"l":[{"n":1},{"n":3}]}""", false)]
    // Conditions read truth; and/or too.
    [InlineData("{{ if .m }}yes{{ end }}", """{"m":{"x":1}}""", """{"m":{"y":2}}""", true)]
    [InlineData("{{ if .m }}yes{{ end }}", """{"m":{"x":1}}""", """{"m":{}}""", false)]
    [InlineData("{{ with .m }}{{ .x }}{{ end }}", """{"m":{"x":1,"y":1}}""", """{"m":{"x":1,"y":2}}""", true)]
    [InlineData("{{ or .m .n }}", """{"m":[],"n":"b"}""", """{"m":[],"n":"c"}""", false)]
    [InlineData("{{ if and .m .n }}y{{ end }}", """{"m":[1],"n":{"a":1}}""", """{"m":[2],"n":{"b":1}}""", true)]
    [InlineData("{{ if not .m }}empty{{ end }}", """{"m":[1]}""", """{"m":[]}""", false)]
    // range over a list: its length and what is read of each element.
    [InlineData("{{ range .l }}{{ .n }}{{ end }}", """{"l":[{"n":1,"x":1}]}""", """{"l":[{"n":1,"x":2}]}""", true)]
    [InlineData("{{ range .l }}{{ .n }}{{ end }}", """{"l":[{"n":1}]}""", """{"l":[{"n":1},{"n":2}]}""", false)]
    [InlineData("{{ range .l }}{{ if eq .n 1 }}{{ break }}{{ end }}{{ end }}", """{"l":[{"n":1},{"n":2}]}""", """{"l":[{"n":1},{"n":3}]}""", true)]
    // range over a map, printing and functions read whole.
    [InlineData("{{ range $k, $v := .m }}{{ $k }}{{ end }}", """{"m":{"a":1}}""", """{"m":{"a":2}}""", false)]
    [InlineData("{{ .m }}", """{"m":{"a":1}}""", """{"m":{"a":2}}""", false)]
    [InlineData("{{ toJson .m }}", """{"m":{"a":1,"b":2}}""", """{"m":{"b":2,"a":1}}""", false)]
    [InlineData("{{ toJson .m }}", """{"m":{"a":1},"n":1}""", """{"m":{"a":1},"n":2}""", true)]
    [InlineData("{{ len .l }}", """{"l":[{"a":1}]}""", """{"l":[{"a":2}]}""", true)]
    [InlineData("{{ len .l }}", """{"l":[1]}""", """{"l":[1,2]}""", false)]
    [InlineData("""{{ hasKey .m "k" }}""", """{"m":{"k":1}}""", """{"m":{"k":2}}""", true)]
    [InlineData("""{{ hasKey .m "k" }}""", """{"m":{"k":1}}""", """{"m":{"j":1}}""", false)]
    [InlineData("""{{ isset .m "k" }}""", """{"m":{"k":1}}""", """{"m":{"k":null}}""", false)]
    // Maps and lists the template makes hold the data without reading it; what is read of them later is recorded.
    [InlineData("""{{ $d := dict "r" . }}{{ $d.r.a }}""", """{"a":1,"b":1}""", """{"a":1,"b":2}""", true)]
    [InlineData("""{{ $d := dict "r" . }}{{ $d.r.a }}""", """{"a":1}""", """{"a":2}""", false)]
    [InlineData("""{{ $d := dict "r" . }}{{ toJson $d }}""", """{"a":1,"b":1}""", """{"a":1,"b":2}""", false)]
    [InlineData("""{{ $l := list .m }}{{ range $l }}{{ toJson . }}{{ end }}""", """{"m":{"a":1}}""", """{"m":{"a":2}}""", false)]
    [InlineData("""{{ $d := dict "m" .L }}{{ index $d "m" "app" }}""", """{"L":{"app":"x","o":1}}""", """{"L":{"app":"x","o":2}}""", true)]
    [InlineData("""{{ $d := dict "m" .L }}{{ index $d "m" "app" }}""", """{"L":{"app":"x"}}""", """{"L":{"app":"y"}}""", false)]
    [InlineData("""{{ index (list .L) 0 "app" }}""", """{"L":{"app":"x"}}""", """{"L":{"app":"y"}}""", false)]
    [InlineData("""{{ index (list .S) 0 1 }}""", """{"S":["a","b"]}""", """{"S":["a","c"]}""", false)]
    // Numbers: a string that reads like a number's key, 0 and -0, an integer and a float.
    [InlineData("""{{ index .M "k" }}""", """{"M":{"k":"number:5"}}""", """{"M":{"k":5}}""", false)]
    [InlineData("{{ .M.k }}", """{"M":{"k":0.0}}""", """{"M":{"k":-0.0}}""", false)]
    [InlineData("{{ .M.k }}", """{"M":{"k":5}}""", """{"M":{"k":5.0}}""", false)]
    [InlineData("""{{ template "x" . }}{{ define "x" }}{{ .a }}{{ end }}""", """{"a":1,"b":1}""", """{"a":1,"b":2}""", true)]
    [InlineData("""{{ template "x" . }}{{ define "x" }}{{ .a }}{{ end }}""", """{"a":1}""", """{"a":2}""", false)]
    [InlineData("""{{ $v := .a }}{{ $v = .b }}{{ $v }}""", """{"a":1,"b":2}""", """{"a":1,"b":2,"c":3}""", true)]
    [InlineData("""{{ $v := .a }}{{ $v = .b }}{{ $v }}""", """{"a":1,"b":2}""", """{"a":9,"b":2}""", false)]
    public void A_kept_render_is_found_exactly_when_what_it_read_is_alike(string template, string first, string second, bool found)
    {
        var memo = new Memoized(template);
        Assert.False(memo.Render(T.Json(first)).Found);
        Assert.True(memo.LastReads!.Complete, memo.LastReads.Incomplete);
        Assert.True(memo.Render(T.Json(first)).Found, "the same data did not find its own render");
        Assert.Equal(found, memo.Render(T.Json(second)).Found);

        // Whatever was kept since, both are still found and give their own text (checked against a fresh render).
        Assert.True(memo.Render(T.Json(first)).Found);
        Assert.True(memo.Render(T.Json(second)).Found);
    }

    [Theory]
    [InlineData("""{{ $_ := set .m "k" 1 }}{{ .m.k }}""", "to change")]
    [InlineData("""{{ $d := dict "m" .m }}{{ $_ := set $d.m "k" 1 }}""", "to change")]
    [InlineData("""{{ $_ := merge (dict) .m }}""", "to change")]
    [InlineData("""{{ $c := first .l }}{{ $_ := set $c "x" "1" }}""", "to change")]
    [InlineData("""{{ call .f }}""", "call")]
    public void A_render_that_changes_the_data_or_calls_a_function_value_is_not_kept(string template, string reason)
    {
        var data = new Dictionary<string, object?>
        {
            ["m"] = T.Json("""{"k":0}"""),
            ["l"] = T.Json("""[{"a":1}]"""),
            ["f"] = new TemplateFunction(_ => "x"),
        };
        var memo = new Memoized(template);
        memo.Render(data);
        Assert.False(memo.LastReads!.Complete);
        Assert.Contains(reason, memo.LastReads.Incomplete, StringComparison.Ordinal);
        Assert.Equal(0, memo.Memo.Kept);
        Assert.False(memo.Render(data).Found);
    }

    [Fact]
    public void A_function_that_reads_outside_the_data_is_called_again()
    {
        var outside = "one";
        var functions = T.Funcs.With("outside", _ => outside, TemplateFunctionReads.Outside);
        var memo = new Memoized("""{{ outside "name" }}/{{ .a }}""", functions);
        var data = T.Json("""{"a":1}""");
        Assert.False(memo.Render(data).Found);
        Assert.True(memo.Render(data).Found);
        outside = "two";
        Assert.False(memo.Render(data).Found);
        Assert.Equal("two/1", memo.Render(data).Text);

        // Given a map, such a function cannot be checked again.
        var withMap = new Memoized("""{{ outside .m }}""", functions);
        withMap.Render(T.Json("""{"m":{}}"""));
        Assert.False(withMap.LastReads!.Complete);
    }

    [Fact]
    public void An_integer_and_a_float_that_write_the_same_JSON_are_told_apart()
    {
        var memo = new Memoized("""{{ range $k, $v := .M }}{{ typeOf $v }}{{ end }}/{{ index .N "k" | typeOf }}""");
        JsonObject Data(JsonNode m, JsonNode n) => new() { ["M"] = new JsonObject { ["k"] = m }, ["N"] = new JsonObject { ["k"] = n } };
        Assert.False(memo.Render(Data(JsonValue.Create(5L), JsonValue.Create(5L))).Found);
        Assert.False(memo.Render(Data(JsonValue.Create(5.0), JsonValue.Create(5L))).Found);
        Assert.False(memo.Render(Data(JsonValue.Create(5L), JsonValue.Create(5.0))).Found);
        Assert.True(memo.Render(Data(JsonValue.Create(5L), JsonValue.Create(5L))).Found);
    }

    [Fact]
    public void A_summary_or_projection_that_fails_leaves_the_render_as_it_would_be_without_the_memo()
    {
        var functions = T.Funcs
            .With("boom", static _ => throw new InvalidOperationException("no"), static (_, _) => throw new InvalidOperationException("summary"))
            .With("first", static a => Values.UnwrapJsonNode((a[0] as JsonObject)?["first"]), static (a, reads) => reads.Derived(a[0], static m => ((JsonObject)m!)["first"]!.GetValue<string>()));
        var template = GoTemplate.Parse("t", "{{ boom .m }}", functions);
        var reads = new TemplateReads();
        var error = Assert.Throws<TemplateExecutionException>(() => template.Execute(T.Json("""{"m":{}}"""), TestContext.Current.CancellationToken, static span => span.ToString(), reads));
        Assert.Contains("error calling boom: no", error.Message, StringComparison.Ordinal);
        Assert.False(reads.Complete);

        // A kept projection that fails on other data is a miss, not an error.
        var memo = new Memoized("{{ first .m }}", functions);
        Assert.False(memo.Render(T.Json("""{"m":{"first":"a"}}""")).Found);
        Assert.False(memo.Memo.TryFind(T.Json("""{"m":{"first":1}}"""), out _));
    }

    [Fact]
    public void A_template_that_asks_other_questions_after_the_same_answers_stops_the_memo()
    {
        var calls = 0;
        var functions = T.Funcs.With("impure", _ => ++calls % 2 == 0);
        var memo = new Memoized("{{ if impure }}{{ .a }}{{ else }}{{ .b }}{{ end }}", functions);
        var data = T.Json("""{"a":1,"b":2}""");
        var template = GoTemplate.Parse("t", "{{ if impure }}{{ .a }}{{ else }}{{ .b }}{{ end }}", functions);
        for (var i = 0; i < 2; i++)
        {
            var reads = new TemplateReads();
            template.Execute(data, TestContext.Current.CancellationToken, static span => span.ToString(), reads);
            memo.Memo.Add(reads, "kept");
        }

        Assert.Equal(1, memo.Memo.Conflicts);
        Assert.False(memo.Memo.TryFind(data, out _));
        Assert.Equal(0, memo.Memo.Kept);
    }

    [Fact]
    public void A_projection_of_a_map_the_template_made_keeps_what_the_map_holds()
    {
        static object? X(object? m) => m is Dictionary<string, object?> d && d.TryGetValue("m", out var e) && e is JsonObject o ? o["x"]?.ToJsonString() : null;
        var functions = T.Funcs.With("x", static a => X(a[0]), static (a, reads) => reads.Derived(a[0], X));
        var memo = new Memoized("""{{ x (dict "m" .E) }}""", functions);
        Assert.False(memo.Render(T.Json("""{"E":{"x":1}}""")).Found);
        Assert.False(memo.Render(T.Json("""{"E":{"x":2}}""")).Found);
        Assert.True(memo.Render(T.Json("""{"E":{"x":2}}""")).Found);
    }

    [Fact]
    public void A_function_reading_outside_the_data_is_told_apart_by_the_kind_of_its_result()
    {
        object? result = "J{}";
        var functions = T.Funcs.With("ext", _ => result, TemplateFunctionReads.Outside);
        var memo = new Memoized("{{ ext }}", functions);
        Assert.False(memo.Render(null).Found);
        result = new JsonObject();
        Assert.False(memo.Render(null).Found);
    }

    [Fact]
    public void Changing_a_map_of_the_data_reached_through_a_function_is_not_kept()
    {
        var data = new Dictionary<string, object?> { ["L"] = new List<object?> { new Dictionary<string, object?> { ["a"] = 1L } } };
        var memo = new Memoized("""{{ $c := first .L }}{{ $_ := set $c "x" "1" }}""");
        memo.Render(data);
        Assert.Contains("to change", memo.LastReads!.Incomplete, StringComparison.Ordinal);

        // A map the template made is its own to change.
        var own = new Memoized("""{{ $d := dict "k" .a }}{{ $_ := set $d "x" "1" }}{{ $d.x }}""");
        own.Render(T.Json("""{"a":1}"""));
        Assert.True(own.LastReads!.Complete, own.LastReads.Incomplete);
    }

    [Fact]
    public void A_Go_name_read_by_its_camel_case_key_is_told_apart_from_the_name_itself()
    {
        // Where a map sits decides its typed zero fields: under "containers" a container has Resources, under "Containers" it is unknown.
        var memo = new Memoized("{{ (first .Spec.Containers).Resources }}");
        Assert.False(memo.Render(new Typed(T.Json("""{"containers":[{"name":"a"}]}""")!.AsObject())).Found);
        Assert.False(memo.Render(new Typed(T.Json("""{"Containers":[{"name":"a"}],"containers":[{"name":"a"}]}""")!.AsObject())).Found);
        Assert.True(memo.Render(new Typed(T.Json("""{"containers":[{"name":"a"}]}""")!.AsObject())).Found);
    }

    /// <summary>Data whose containers (under "containers") have a zero Resources map, as a Go struct would.</summary>
    private sealed class Typed(JsonObject spec) : ITemplateFields, ITypedMaps
    {
        public bool TryGetField(string name, out object? value)
        {
            value = name == "Spec" ? spec : null;
            return value is not null;
        }

        public bool TryZeroField(JsonObject map, string goName, out object? value)
        {
            value = goName == "Resources" && map.Parent?.GetPropertyName() == "containers" ? new JsonObject() : null;
            return value is not null;
        }
    }

    [Fact]
    public void A_declared_summary_records_only_what_it_reads()
    {
        var functions = T.Funcs.With("first", static a => Values.UnwrapJsonNode((a[0] as JsonObject)?["first"]), static (a, reads) => reads.Key(a[0], "first"));
        var memo = new Memoized("{{ first .m }}", functions);
        Assert.False(memo.Render(T.Json("""{"m":{"first":1,"other":1}}""")).Found);
        Assert.True(memo.Render(T.Json("""{"m":{"first":1,"other":2}}""")).Found);
        Assert.False(memo.Render(T.Json("""{"m":{"first":2,"other":2}}""")).Found);
    }

    [Fact]
    public void Views_are_read_field_by_field_and_a_method_of_the_data_is_not_kept()
    {
        var memo = new Memoized("{{ .View.Name }}");
        Assert.False(memo.Render(new Dictionary<string, object?> { ["View"] = new View("a", 1) }).Found);
        Assert.True(memo.Render(new Dictionary<string, object?> { ["View"] = new View("a", 2) }).Found);
        Assert.False(memo.Render(new Dictionary<string, object?> { ["View"] = new View("b", 2) }).Found);

        var method = new Memoized("""{{ .View.Greet "x" }}""");
        method.Render(new Dictionary<string, object?> { ["View"] = new View("a", 1) });
        Assert.False(method.LastReads!.Complete);

        // A view used whole without a snapshot of itself cannot be compared.
        var whole = new Memoized("{{ toJson .View }}");
        whole.Render(new Dictionary<string, object?> { ["View"] = new View("a", 1) });
        Assert.False(whole.LastReads!.Complete);
    }

    [Fact]
    public void The_same_object_read_by_two_ways_is_only_found_for_data_that_shares_it_too()
    {
        var memo = new Memoized("{{ .a.x }}{{ .b.x }}");
        var shared = T.Json("""{"x":1}""");
        Assert.False(memo.Render(new Dictionary<string, object?> { ["a"] = shared, ["b"] = shared }).Found);
        var again = T.Json("""{"x":1}""");
        Assert.True(memo.Render(new Dictionary<string, object?> { ["a"] = again, ["b"] = again }).Found);
        Assert.False(memo.Render(new Dictionary<string, object?> { ["a"] = T.Json("""{"x":1}"""), ["b"] = T.Json("""{"x":1}""") }).Found);
    }

    [Fact]
    public void The_memo_keeps_a_bounded_number_of_renders()
    {
        var memo = new Memoized("{{ .n }}");
        for (var i = 0; i < RenderMemo<string>.MaxKept * 3; i++)
        {
            Assert.False(memo.Render(T.Json($$"""{"n":{{i}}}""")).Found);
            Assert.InRange(memo.Memo.Kept, 1, RenderMemo<string>.MaxKept);
        }

        // The last ones are still kept.
        Assert.True(memo.Render(T.Json($$"""{"n":{{(RenderMemo<string>.MaxKept * 3) - 1}}}""")).Found);
    }

    [Fact]
    public void After_many_renders_in_a_row_found_nothing_only_one_in_16_is_recorded_until_one_is_found()
    {
        var memo = new Memoized("{{ .n }}");
        var recorded = 0;
        for (var i = 0; i < 256 + 64; i++)
        {
            var data = T.Json($$"""{"n":{{i}}}""");
            if (memo.Memo.Records)
            {
                recorded++;
                Assert.False(memo.Render(data).Found);
            }
            else
            {
                Assert.False(memo.Memo.TryFind(data, out _));
            }
        }

        Assert.Equal(256 + 4, recorded);

        // One found resets it: every render is recorded again.
        Assert.True(memo.Render(T.Json("""{"n":319}""")).Found || memo.Render(T.Json("""{"n":319}""")).Found);
        Assert.True(memo.Memo.Records);
    }

    [Fact]
    public void Lookups_and_insertions_from_many_threads_agree_with_fresh_renders()
    {
        var memo = new Memoized("""{{ .a }}{{ range .l }}{{ .n }}{{ end }}{{ index .m "k" }}""");
        Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = TestContext.Current.CancellationToken }, i =>
            memo.Render(T.Json($$"""{"a":{{i % 7}},"l":[{"n":{{i % 3}}}],"m":{"k":{{i % 5}},"o":{{i}}},"x":{{i}}}""")));
        Assert.InRange(memo.Memo.Kept, 1, RenderMemo<string>.MaxKept);
        Assert.Equal(0, memo.Memo.Conflicts);
    }

    /// <summary>A Go-struct-like value: fields, and a method.</summary>
    private sealed class View(string name, long other) : ITemplateFields
    {
        public bool TryGetField(string field, out object? value)
        {
            value = field switch
            {
                "Name" => name,
                "Other" => other,
                "Greet" => new TemplateFunction(a => $"hi {a[0]} from {name}"),
                _ => null,
            };
            return value is not null;
        }
    }
}
