namespace Injector.Templating.Tests;

public class ParserTests
{
    [Fact]
    public void Unknown_function_is_a_parse_error_naming_template_and_line()
    {
        Assert.Equal("template: t:2: function \"foo\" not defined", T.ParseError("line1\n{{ foo 1 }}"));
    }

    [Theory]
    [InlineData("{{ .x ", "template: t:1: unclosed action")]
    [InlineData("{{ if .x }}a", "template: t:1: unexpected EOF")]
    [InlineData("{{ end }}", "template: t:1: unexpected {{end}}")]
    [InlineData("{{ else }}", "template: t:1: unexpected {{else}}")]
    [InlineData("{{ $x }}", "template: t:1: undefined variable \"$x\"")]
    [InlineData("{{ break }}", "template: t:1: {{break}} outside {{range}}")]
    [InlineData("{{ \"abc }}", "template: t:1: unterminated quoted string")]
    [InlineData("{{ }}", "template: t:1: missing value for command")]
    [InlineData("{{ .x | 3 }}", "template: t:1: non executable command in pipeline stage 2")]
    [InlineData("{{ (.x }}", "template: t:1: unclosed left paren")]
    [InlineData("{{/* x }}", "template: t:1: unclosed comment")]
    [InlineData("{{ if }}{{ end }}", "template: t:1: missing value for if")]
    [InlineData("{{ define \"a\" }}x", "template: t:1: unexpected EOF")]
    [InlineData("{{ .x # }}", "template: t:1: unrecognized character in action: U+0023 '#'")]
    public void Syntax_errors_match_go(string text, string expected)
    {
        Assert.Equal(expected, T.ParseError(text));
    }

    [Fact]
    public void Variable_scope_ends_at_end()
    {
        Assert.Equal("template: t:1: undefined variable \"$y\"", T.ParseError("{{ if true }}{{ $y := 1 }}{{ end }}{{ $y }}"));
    }

    [Fact]
    public void Comments_are_dropped_and_trimmed()
    {
        Assert.Equal("ab", T.Render("a {{- /* comment */ -}} b"));
        Assert.Equal("a\nb", T.Render("a\n{{/* multi\nline */}}b"));
    }

    [Fact]
    public void Numbers_parse_as_go_constants()
    {
        Assert.Equal("255 8 1.5 -3 1e+06 97 1000", T.Render("{{ 0xff }} {{ 010 }} {{ 1.5 }} {{ -3 }} {{ 1e6 }} {{ 'a' }} {{ 1_000 }}"));
    }

    [Fact]
    public void String_literals_support_go_escapes_and_raw_strings()
    {
        Assert.Equal("a\tb\"c\u00e9 raw\\n", T.Render("{{ \"a\\tb\\\"c\\u00e9\" }} {{ `raw\\n` }}"));
    }

    [Fact]
    public void Template_names_lists_defines()
    {
        var t = GoTemplate.Parse("main", "{{ define \"a\" }}A{{ end }}{{ block \"b\" . }}B{{ end }}", T.Funcs);
        Assert.Equal(["a", "b", "main"], t.TemplateNames);
        Assert.Equal("main", t.Name);
    }

    [Fact]
    public void Multiple_definition_is_an_error()
    {
        Assert.Contains("multiple definition of template \"a\"", T.ParseError("{{ define \"a\" }}1{{ end }}{{ define \"a\" }}2{{ end }}"));
    }
}
