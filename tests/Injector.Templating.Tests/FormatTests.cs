namespace Injector.Templating.Tests;

public class FormatTests
{
    [Theory]
    [InlineData("15020.0", "15020")]
    [InlineData("1000000.0", "1e+06")]
    [InlineData("0.5", "0.5")]
    [InlineData("123456.0", "123456")]
    [InlineData("0.0001", "0.0001")]
    [InlineData("0.00001", "1e-05")]
    [InlineData("1.5e300", "1.5e+300")]
    [InlineData("-2.25", "-2.25")]
    [InlineData("0.1", "0.1")]
    public void Floats_print_like_go(string literal, string expected)
    {
        Assert.Equal(expected, T.Render("{{ " + literal + " }}"));
    }

    [Fact]
    public void Json_numbers_integral_are_integers()
    {
        Assert.Equal("1000000 1.5 15020", T.Render("{{ .a }} {{ .b }} {{ .c }}", T.Json("{\"a\":1000000,\"b\":1.5,\"c\":15020}")));
    }

    [Theory]
    [InlineData("%v", "\"s\"", "s")]
    [InlineData("%s", "\"s\"", "s")]
    [InlineData("%q", "\"a\\\"b\"", "\"a\\\"b\"")]
    [InlineData("%d", "42", "42")]
    [InlineData("%5d", "42", "   42")]
    [InlineData("%-5d|", "42", "42   |")]
    [InlineData("%05d", "-42", "-0042")]
    [InlineData("%+d", "42", "+42")]
    [InlineData("%x", "255", "ff")]
    [InlineData("%X", "255", "FF")]
    [InlineData("%o", "8", "10")]
    [InlineData("%c", "65", "A")]
    [InlineData("%t", "true", "true")]
    [InlineData("%f", "3.14159", "3.141590")]
    [InlineData("%.2f", "3.14159", "3.14")]
    [InlineData("%8.3f", "3.14159", "   3.142")]
    [InlineData("%e", "1234.5678", "1.234568e+03")]
    [InlineData("%g", "1234.5678", "1234.5678")]
    [InlineData("%.3g", "1234.5678", "1.23e+03")]
    [InlineData("%x", "\"hi\"", "6869")]
    [InlineData("%.2s", "\"hello\"", "he")]
    [InlineData("%10s|", "\"hi\"", "        hi|")]
    [InlineData("%-4s|", "\"hi\"", "hi  |")]
    [InlineData("%d%%", "5", "5%")]
    [InlineData("%v", "(list 1 \"a\" 2.5)", "[1 a 2.5]")]
    [InlineData("%v", "(dict \"b\" 1 \"a\" (list))", "map[a:[] b:1]")]
    [InlineData("%d", "\"x\"", "%!d(string=x)")]
    [InlineData("%v %v", "1", "1 %!v(MISSING)")]
    [InlineData("%v", "nil", "<nil>")]
    [InlineData("%.1f", "2", "2.0")]
    public void Printf_verbs(string format, string arg, string expected)
    {
        Assert.Equal(expected, T.Render("{{ printf \"" + format.Replace("\"", "\\\"", StringComparison.Ordinal) + "\" " + arg + " }}"));
    }

    [Fact]
    public void Printf_extra_arguments()
    {
        Assert.Equal("a%!(EXTRA int=1)", T.Render("{{ printf \"a\" 1 }}"));
    }

    [Fact]
    public void Maps_and_lists_print_sorted()
    {
        Assert.Equal("map[a:1 b:[x y] c:map[d:<nil>]]", T.Render("{{ . }}", T.Json("{\"c\":{\"d\":null},\"b\":[\"x\",\"y\"],\"a\":1}")));
    }
}
