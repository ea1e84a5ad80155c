using System.Diagnostics;
using System.Text;

namespace Injector.Documents.Tests;

/// <summary>Untrusted YAML is read within bounds: no stack overflow, no alias bomb, no runaway text.</summary>
[Collection(TimingCollection.Name)]
public sealed class YamlLimitsTests
{
    [Theory]
    [InlineData("{a: ", " }", 20_000)]
    [InlineData("[", "]", 50_000)]
    [InlineData("- ", "", 300)]
    public void Nesting_past_the_limit_is_refused_quickly_without_recursing(string open, string close, int levels)
    {
        var text = Nested(open, close, levels, open.StartsWith('-') ? "\n" : "");
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<YamlFormatException>(() => GoYaml.Parse(text));
        Assert.Contains("nests deeper than the limit of 64 levels", e.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Block_nesting_past_the_limit_is_refused()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 100; i++)
        {
            text.Append(' ', i).Append("a:\n");
        }

        var e = Assert.Throws<YamlFormatException>(() => GoYaml.Parse(text.ToString()));
        Assert.Contains("nests deeper", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_up_to_the_limit_is_read()
    {
        // 64 maps deep, the innermost holding a scalar.
        Assert.NotNull(GoYaml.Parse(Nested("{a: ", "}", 64, "")));
        Assert.Throws<YamlFormatException>(() => GoYaml.Parse(Nested("{a: ", "}", 65, "")));
    }

    [Fact]
    public void Documents_allow_deeper_nesting()
    {
        var text = Nested("{a: ", "}", 200, "");
        Assert.NotNull(GoYaml.Parse(text, YamlLimits.Document));
    }

    [Theory]
    [InlineData(7, 10)]
    [InlineData(8, 10)]
    [InlineData(30, 2)]
    public void Alias_bombs_are_refused_as_excessive_aliasing(int levels, int width)
    {
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<YamlFormatException>(() => GoYaml.Parse(Bomb(levels, width)));
        Assert.Contains("excessive aliasing", e.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Alias_bombs_are_refused_under_every_limit_set()
    {
        foreach (var limits in new[] { YamlLimits.Default, YamlLimits.Annotation, YamlLimits.Document })
        {
            Assert.Throws<YamlFormatException>(() => GoYaml.Parse(Bomb(9, 10), limits));
        }
    }

    [Fact]
    public void Ordinary_aliases_are_read()
    {
        // A handful of reuses, as real values files do (anchors for shared resources).
        var node = GoYaml.Parse("r: &r {cpu: 100m, memory: 128Mi}\na: *r\nb: *r\nc: {<<: *r, cpu: 1}\n")!;
        Assert.Equal("""{"r":{"cpu":"100m","memory":"128Mi"},"a":{"cpu":"100m","memory":"128Mi"},"b":{"cpu":"100m","memory":"128Mi"},"c":{"cpu":1,"memory":"128Mi"}}""", node.ToJsonString());
    }

    [Fact]
    public void The_node_count_is_bounded()
    {
        var text = "[" + string.Join(",", Enumerable.Repeat("1", 30_000)) + "]";
        var e = Assert.Throws<YamlFormatException>(() => GoYaml.Parse(text, YamlLimits.Annotation));
        Assert.Contains("more than the limit of 20000 nodes", e.Message, StringComparison.Ordinal);
        Assert.NotNull(GoYaml.Parse(text));
    }

    [Fact]
    public void Text_past_the_size_limit_is_refused_before_parsing()
    {
        var e = Assert.Throws<YamlFormatException>(() => GoYaml.Parse(new string('a', 256 * 1024 + 1), YamlLimits.Annotation));
        Assert.Contains("more than the limit of 262144", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wide_flow_text_parses_in_linear_time()
    {
        // 60 KB of shallow flow maps: well inside every limit, and fast.
        var text = "[" + string.Join(",", Enumerable.Repeat("{a: {b: [1, 2]}}", 3_700)) + "]";
        var watch = Stopwatch.StartNew();
        Assert.NotNull(GoYaml.Parse(text));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }

    internal static string Nested(string open, string close, int levels, string separator)
    {
        var text = new StringBuilder();
        for (var i = 0; i < levels; i++)
        {
            if (separator.Length > 0)
            {
                text.Append(' ', i * 2);
            }

            text.Append(open).Append(separator);
        }

        text.Append('1');
        for (var i = 0; i < levels; i++)
        {
            text.Append(close);
        }

        return text.ToString();
    }

    /// <summary>Billion laughs: each level is a list of <paramref name="width"/> aliases of the level before.</summary>
    internal static string Bomb(int levels, int width)
    {
        var text = new StringBuilder("a0: &a0 [lol]\n");
        for (var i = 1; i <= levels; i++)
        {
            text.Append($"a{i}: &a{i} [").Append(string.Join(",", Enumerable.Repeat($"*a{i - 1}", width))).Append("]\n");
        }

        return text.ToString();
    }
}
