namespace Injector.Templating.Tests;

public class FunctionTests
{
    private const string Data = """
        {"s":"Hello World","n":3,"f":2.7,"l":["b","a","b",""],"m":{"k1":"v1","k2":null},"e":"","z":0,
         "nested":{"a":{"x":1}},"other":{"a":{"y":2},"b":3},"path":"/etc/istio/proxy/envoy.json"}
        """;

    [Theory]
    // Defaults and flow.
    [InlineData("{{ default \"d\" .e }}", "d")]
    [InlineData("{{ default \"d\" .s }}", "Hello World")]
    [InlineData("{{ .missing | default 5 }}", "5")]
    [InlineData("{{ empty .e }} {{ empty .z }} {{ empty .n }} {{ empty .missing }}", "true true false true")]
    [InlineData("{{ coalesce .e .z .missing .s }}", "Hello World")]
    [InlineData("{{ ternary \"yes\" \"no\" true }} {{ true | ternary \"y\" \"n\" }}", "yes y")]
    [InlineData("{{ required \"msg\" .s }}", "Hello World")]
    // Lists.
    [InlineData("{{ list 1 \"a\" }}", "[1 a]")]
    [InlineData("{{ first .l }} {{ last .l }} {{ rest .l }} {{ initial .l }}", "b  [a b ] [b a b]")]
    [InlineData("{{ append .l \"c\" }} {{ prepend (list 1) 0 }}", "[b a b  c] [0 1]")]
    [InlineData("{{ concat (list 1) (list 2 3) }}", "[1 2 3]")]
    [InlineData("{{ uniq .l }} {{ without .l \"b\" }} {{ compact .l }}", "[b a ] [a ] [b a b]")]
    [InlineData("{{ has \"a\" .l }} {{ has \"q\" .l }}", "true false")]
    [InlineData("{{ until 3 }} {{ untilStep 0 10 4 }} {{ seq 3 }}", "[0 1 2] [0 4 8] 1 2 3")]
    // Dictionaries.
    [InlineData("{{ $d := dict \"a\" 1 \"b\" 2 }}{{ $d.a }}{{ $_ := set $d \"c\" 3 }}{{ $d.c }}{{ $_ := unset $d \"a\" }}{{ hasKey $d \"a\" }}", "13false")]
    [InlineData("{{ keys .m }} {{ values (dict \"a\" 1 \"b\" 2) }}", "[k1 k2] [1 2]")]
    [InlineData("{{ pluck \"a\" (dict \"a\" 1) (dict \"b\" 2) (dict \"a\" 3) }}", "[1 3]")]
    [InlineData("{{ toJson (merge (dict) .nested .other) }}", "{\"a\":{\"x\":1,\"y\":2},\"b\":3}")]
    [InlineData("{{ toJson (mergeOverwrite (dict \"a\" 1 \"b\" 2) (dict \"a\" 9)) }}", "{\"a\":9,\"b\":2}")]
    [InlineData("{{ toJson (merge (dict \"a\" 1 \"b\" 2) (dict \"a\" 9 \"c\" 3)) }}", "{\"a\":1,\"b\":2,\"c\":3}")]
    [InlineData("{{ $c := deepCopy .nested }}{{ $_ := set $c \"q\" 1 }}{{ toJson $c }} {{ toJson .nested }}", "{\"a\":{\"x\":1},\"q\":1} {\"a\":{\"x\":1}}")]
    // Strings.
    [InlineData("{{ join \",\" .l }} {{ join \"-\" (list 1 2) }}", "b,a,b, 1-2")]
    [InlineData("{{ $p := split \":\" \"a:b\" }}{{ $p._0 }}{{ $p._1 }} {{ splitList \",\" \"x,y\" }}", "ab [x y]")]
    [InlineData("{{ toStrings (list 1 true \"s\") }}", "[1 true s]")]
    [InlineData("[{{ trim \"  x \\n\" }}] {{ trimAll \"$\" \"$5.00$\" }} {{ trimPrefix \"He\" .s }} {{ trimSuffix \"ld\" .s }}", "[x] 5.00 llo World Hello Wor")]
    [InlineData("{{ trunc 5 .s }} {{ trunc -3 .s }} {{ trunc 50 \"ab\" }}", "Hello rld ab")]
    [InlineData("{{ upper .s }} {{ lower .s }} {{ title \"hello big-world\" }}", "HELLO WORLD hello world Hello Big-World")]
    [InlineData("{{ repeat 3 \"ab\" }} {{ replace \"o\" \"0\" .s }} {{ .s | replace \" \" \"_\" }}", "ababab Hell0 W0rld Hello_World")]
    [InlineData("{{ substr 0 5 .s }} {{ substr 6 100 .s }} {{ nospace .s }}", "Hello World HelloWorld")]
    [InlineData("{{ quote \"a\" 1 }} {{ squote \"a\" }} {{ cat \"a\" 1 nil \"b\" }}", "\"a\" \"1\" 'a' a 1 b")]
    [InlineData("{{ indent 2 \"a\\nb\" }}|{{ nindent 2 \"a\" }}", "  a\n  b|\n  a")]
    [InlineData("{{ contains \"World\" .s }} {{ contains .s \"World\" }} {{ hasPrefix \"He\" .s }} {{ hasSuffix \"x\" .s }}", "true false true false")]
    [InlineData("{{ toString 1.5 }} {{ toString .n }} {{ toString nil }}", "1.5 3 <nil>")]
    // Encoding.
    [InlineData("{{ toJson .m }} {{ toJson \"<&>\" }}", "{\"k1\":\"v1\",\"k2\":null} \"\\u003c\\u0026\\u003e\"")]
    [InlineData("{{ toPrettyJson (dict \"a\" (list 1) \"b\" (dict)) }}", "{\n  \"a\": [\n    1\n  ],\n  \"b\": {}\n}")]
    [InlineData("{{ (fromJson \"{\\\"a\\\":[1,2.5]}\").a }} {{ fromJson \"bad\" }}", "[1 2.5] <no value>")]
    [InlineData("{{ b64enc \"hi\" }} {{ b64dec \"aGk=\" }}", "aGk= hi")]
    [InlineData("{{ sha256sum \"abc\" }}", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    // Numbers.
    [InlineData("{{ atoi \"42\" }} {{ atoi \"x\" }} {{ int \"7\" }} {{ int64 2.9 }} {{ float64 \"1.5\" }}", "42 0 7 2 1.5")]
    [InlineData("{{ add 1 2 3 }} {{ add1 .n }} {{ sub 5 2 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 2 }}", "6 4 3 24 3 1")]
    [InlineData("{{ max 1 5 3 }} {{ min 4 2 8 }} {{ floor 2.7 }} {{ ceil 2.1 }} {{ round 2.567 2 }} {{ add .f 1 }}", "5 2 2 3 2.57 3")]
    // Regular expressions.
    [InlineData("{{ regexMatch \"^H.*d$\" .s }} {{ regexFind \"o.\" .s }} {{ regexReplaceAll \"o(.)\" .s \"0$1\" }} {{ regexSplit \"o\" .s -1 }}", "true o  Hell0 W0rld [Hell  W rld]")]
    // Reflection and versions.
    [InlineData("{{ kindOf .s }} {{ kindOf .n }} {{ kindOf .f }} {{ kindOf .l }} {{ kindOf .m }} {{ kindIs \"string\" .s }}", "string int float64 slice map true")]
    [InlineData("{{ typeOf .s }} {{ typeOf .m }} {{ typeOf .l }}", "string map[string]interface {} []interface {}")]
    [InlineData("{{ semverCompare \">=1.2.3\" \"1.10.0\" }} {{ semverCompare \"<1.2\" \"1.2.0\" }} {{ semverCompare \"~1.2.0\" \"1.2.9\" }} {{ semverCompare \"^1.2\" \"2.0.0\" }} {{ semverCompare \">=1.20-0\" \"1.21.0-beta.1\" }} {{ semverCompare \">=1.2\" \"1.3.0-rc1\" }}", "true false true false true false")]
    // Istio helpers.
    [InlineData("{{ toJSON .m }} {{ toJSON .missing }} {{ toJSON (list 1 \"a\") }}", "{\"k1\":\"v1\",\"k2\":null} null [1,\"a\"]")]
    [InlineData("{{ (fromJSON \"{\\\"a\\\":1}\").a }} {{ fromJSON \"{bad\" }}", "1 <no value>")]
    [InlineData("{{ toJsonMap (strdict \"a\" \"1\" \"b\" \"2\") (strdict \"b\" \"3\") }}", "{\"a\":\"1\",\"b\":\"3\"}")]
    [InlineData("{{ toJSON (mergeMaps (dict \"a\" 1) (dict \"a\" 2 \"b\" 3)) }}", "{\"a\":2,\"b\":3}")]
    [InlineData("{{ toJSON (omitNil .m) }} {{ toJSON (omit .m \"k1\") }}", "{\"k1\":\"v1\"} {\"k2\":null}")]
    [InlineData("{{ isset .m \"k1\" }} {{ isset .m \"k2\" }} {{ isset .m \"k3\" }}", "true false false")]
    [InlineData("{{ valueOrDefault .e \"dflt\" }} {{ valueOrDefault .s \"dflt\" }} {{ valueOrDefault .missing 5 }}", "dflt Hello World 5")]
    [InlineData("{{ directory .path }} {{ directory \"file\" }} {{ toLower .s }}", "/etc/istio/proxy . hello world")]
    [InlineData("{{ formatDuration \"90s\" }} {{ formatDuration \"1h0m0.5s\" }} {{ formatDuration 23 }} {{ formatDuration \"1.5ms\" }} {{ formatDuration \"0s\" }}", "1m30s 1h0m0.5s 23s 1.5ms 0s")]
    public void Function_behaves_like_sprig_and_istio(string text, string expected)
    {
        Assert.Equal(expected, T.Render(text, T.Json(Data)));
    }

    [Fact]
    public void Required_and_fail_raise_errors()
    {
        Assert.Contains("error calling required: need it", T.ExecError("{{ required \"need it\" .e }}", T.Json(Data)), StringComparison.Ordinal);
        Assert.Contains("error calling div: runtime error: integer divide by zero", T.ExecError("{{ div 1 0 }}"), StringComparison.Ordinal);
    }

    [Fact]
    public void String_functions_reject_nil_like_go()
    {
        Assert.Contains("error calling upper: invalid value; expected string", T.ExecError("{{ upper .missing }}", T.Json("{}")), StringComparison.Ordinal);
    }

    [Fact]
    public void Default_registry_has_every_listed_function()
    {
        string[] names =
        [
            "default", "empty", "coalesce", "ternary", "required", "fail", "list", "dict", "set", "unset", "hasKey", "keys", "values",
            "pluck", "merge", "mergeOverwrite", "deepCopy", "first", "last", "rest", "initial", "append", "prepend", "concat", "uniq",
            "without", "has", "compact", "join", "split", "splitList", "toStrings", "trim", "trimAll", "trimPrefix", "trimSuffix",
            "trunc", "upper", "lower", "title", "repeat", "replace", "substr", "nospace", "quote", "squote", "cat", "indent", "nindent",
            "contains", "hasPrefix", "hasSuffix", "toString", "toJson", "toPrettyJson", "fromJson", "atoi", "int", "int64", "float64",
            "add", "add1", "sub", "mul", "div", "mod", "max", "min", "floor", "ceil", "round", "b64enc", "b64dec", "sha256sum",
            "regexMatch", "regexFind", "regexReplaceAll", "regexSplit", "kindIs", "kindOf", "typeOf", "semverCompare", "until",
            "untilStep", "toJSON", "fromJSON", "toJsonMap", "mergeMaps", "omitNil", "strdict", "omit", "isset", "valueOrDefault",
            "directory", "toLower", "formatDuration", "and", "or", "not", "len", "index", "slice", "print", "printf", "println",
            "eq", "ne", "lt", "le", "gt", "ge", "html", "js", "urlquery", "call",
        ];
        Assert.All(names, n => Assert.True(T.Funcs.Contains(n), n));
    }
}
