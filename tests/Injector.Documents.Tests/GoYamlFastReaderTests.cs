using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Injector.Documents.Tests;

/// <summary>
/// The fast reader reads what templates render as YamlDotNet does, and gives up on the rest: whatever it accepts, the
/// full reader reads to the same tree (the same keys in the same order, the same value types), and it accepts nothing
/// the full reader refuses. Over hand-made cases, Istio's golden pods, random trees as Go writes them, and random
/// edits of all of these.
/// </summary>
public sealed class GoYamlFastReaderTests
{
    [Theory]
    [InlineData("a: 1\n")]
    [InlineData("a: 1\nb: two\nc: \"3\"\nd: '4'\ne: true\nf: ~\ng:\nh: 1.5\ni: 0x1F\nj: 1e3\nk: y\n")]
    [InlineData("spec:\n  containers:\n  - name: app\n    image: example/app:1\n    ports:\n    - containerPort: 80\n      protocol: TCP\n  - name: two\n")]
    [InlineData("spec:\n  list:\n    - a\n    - \"b\"\n    -\n      c: 1\n    -\n    - d\n")]
    [InlineData("a:\n  b:\n    c:\n      d: []\n  e: {}\n")]
    [InlineData("r: {\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"},\"n\":[1,2.5,-3,true,false,null,\"x\"]}\n")]
    [InlineData("r: { \"a\" : 1 , \"b\" : [ ] }\nl: [ \"a\", {\"b\":{}} ]\n")]
    [InlineData("q: \"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\u2603\"\ns: 'it''s'\n")]
    [InlineData("\"quoted key\": 1\n'single': 2\n\"with: colon\": 3\n")]
    [InlineData("# a comment\na: 1\n\n  # indented comment\nb:\n  # inside\n  c: 2\n")]
    [InlineData("args:\n- --log_output_level=default:info\n- http://example.com/#frag\n- a,b[0]{c}\n- -x\n")]
    [InlineData("dup: 1\nother: 2\ndup: 3\n")]
    [InlineData("1: one\ntrue: yes\nnull: ~\n0x10: hex\n1.50: f\n")]
    [InlineData("a:   spaced   \nb: inner  spaces\nc:    \n")]
    [InlineData("key with spaces: v\nkey : v2\n")]
    [InlineData("é: ü\nsnow: ☃\n")]
    [InlineData("a: |\n  line one\n    indented\n\n  # not a comment\nb: |-\n  stripped\n\n\nc: |+\n  kept\n\n\nd: 1\n")]
    [InlineData("l:\n- |-\n  in a list\n  two\n- name: x\n  v: |\n    deep\n")]
    [InlineData("a: |\n  trailing  \n  ---\nb: 2\n")]
    public void Reads_what_templates_render_as_the_full_reader_does(string text)
    {
        Assert.True(GoYamlFastReader.TryRead(text, YamlLimits.Default, out _), "the fast reader gave up");
        Assert.Equal(Full(text), Fast(text));
    }

    [Theory]
    [InlineData("a: &x 1\nb: *x\n")]
    [InlineData("a: !!str 1\n")]
    [InlineData("a: |2\n  text\n")]
    [InlineData("a: | # c\n  text\n")]
    [InlineData("a: |\n\n  after an empty line\n")]
    [InlineData("a: |\n  text\n     \n")]
    [InlineData("a: |\n  text")]
    [InlineData("a: |\nb: 1\n")]
    [InlineData("a: |\n    text\n  more\n")]
    [InlineData("a: >-\n  text\n")]
    [InlineData("a: multi\n  line\n")]
    [InlineData("a: \"multi\n  line\"\n")]
    [InlineData("a: 1 # comment\n")]
    [InlineData("---\na: 1\n")]
    [InlineData("a: 1\n---\nb: 2\n")]
    [InlineData("%YAML 1.1\n---\na: 1\n")]
    [InlineData("a:\t1\n")]
    [InlineData("a: 1\r\nb: 2\r\n")]
    [InlineData("<<: {\"a\": 1}\nb: 2\n")]
    [InlineData("? complex\n: value\n")]
    [InlineData("- a\n- b\n")]
    [InlineData("plain\n")]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("a: [a, b]\n")]
    [InlineData("a: {b: 1}\n")]
    [InlineData("a: [1,]\n")]
    [InlineData("a: \"\\x41\"\n")]
    [InlineData("a: \"\\ud83d\\ude00\"\n")]
    [InlineData("a:\n- - nested\n")]
    [InlineData("a: b: c\n")]
    [InlineData("a: b:\n")]
    [InlineData("a:b\n")]
    [InlineData("a:\n  b: 1\n c: 2\n")]
    [InlineData("a:\n  - 1\n  b: 2\n")]
    [InlineData("a: 1\n  b: 2\n")]
    [InlineData("a: \"x\" y\n")]
    [InlineData("a: @x\n")]
    [InlineData("a: 😀\n")]
    [InlineData("a: \u0001\n")]
    [InlineData(" a: 1\n")]
    // Found by a review: YamlDotNet's own ways, each of which the fast reader once read otherwise.
    [InlineData("a *b: c\n")]
    [InlineData("a:\n  b *c: 1\n")]
    [InlineData("l:\n- b *c: 1\n")]
    [InlineData("a:\n- [1]\n- :c\n")]
    [InlineData("a: {\"x\":1}\n\"b\": :c\n")]
    [InlineData("a: [1]\n:b: 1\n")]
    public void Gives_up_on_everything_else(string text)
    {
        Assert.False(GoYamlFastReader.TryRead(text, YamlLimits.Default, out _));
        Agree(text);
    }

    [Fact]
    public void Gives_up_on_keys_whose_colon_yamldotnet_does_not_look_for()
    {
        foreach (var text in new[]
        {
            new string('k', 1025) + ": v\n",
            "a" + new string(' ', 1024) + ": v\n",
            "\"" + new string('k', 1023) + "\": v\n",
            "\"" + string.Concat(Enumerable.Repeat("\\u00e9", 171)) + "\": v\n",
            "a:\n  " + new string('k', 1025) + ": v\n",
            "l:\n- " + new string('k', 1025) + ": v\n",
        })
        {
            Assert.False(GoYamlFastReader.TryRead(text, YamlLimits.Default, out _), text[..20]);
        }

        Assert.True(Agree(new string('k', 1024) + ": v\n"));
    }

    [Fact]
    public void Gives_up_past_the_limits_so_the_full_reader_says_why()
    {
        Assert.False(GoYamlFastReader.TryRead("a: 1\n", new YamlLimits(64, 250_000, 4), out _));

        var deep = new StringBuilder();
        for (var i = 0; i < 70; i++)
        {
            deep.Append(new string(' ', i * 2)).Append("k:\n");
        }

        deep.Append(new string(' ', 140)).Append("v: 1\n");
        Assert.False(GoYamlFastReader.TryRead(deep.ToString(), YamlLimits.Default, out _));
        Assert.Contains("deeper than the limit", Assert.Throws<YamlFormatException>(() => GoYaml.Parse(deep.ToString())).Message, StringComparison.Ordinal);

        var wide = string.Concat(Enumerable.Range(0, 20_001).Select(i => $"k{i}: {i}\n"));
        Assert.False(GoYamlFastReader.TryRead(wide, YamlLimits.Annotation, out _));
        Assert.Contains("more than the limit", Assert.Throws<YamlFormatException>(() => GoYaml.Parse(wide, YamlLimits.Annotation)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_istios_golden_pods_as_the_full_reader_does()
    {
        Assert.SkipWhen(IstioCorpus.InjectDirectory is null, IstioCorpus.SkipReason);
        var (read, total) = (0, 0);
        var gaveUp = new List<string>();
        foreach (var (file, index, text) in IstioCorpus.GoldenDocuments())
        {
            total++;
            if (Agree(text))
            {
                read++;
            }
            else
            {
                GoYamlFastReader.TryRead(text, YamlLimits.Default, out _, out var line);
                gaveUp.Add($"{file}#{index}: {line}");
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"read {read} of {total} golden documents");

        // Most of them are plain block YAML; some hold block scalars.
        Assert.True(read > total / 2, $"the fast reader read only {read} of {total} golden documents; it gave up at:\n{string.Join('\n', gaveUp.Take(20))}");
    }

    [Fact]
    public void Reads_random_trees_as_go_writes_them_as_the_full_reader_does()
    {
        var random = new Random(11);
        var read = 0;
        for (var i = 0; i < 2_000; i++)
        {
            var tree = new JsonObject { ["root"] = RandomJson.Node(random, 0), ["s"] = Scalar(random) };
            if (Agree(GoYaml.Write(tree)))
            {
                read++;
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"read {read} of 2,000 written trees");
        Assert.True(read > 1_500, $"the fast reader read only {read} of 2,000 written trees");
    }

    /// <summary>
    /// Random edits (a YAML indicator, a space or a line break put in, a character taken out, a line's indent changed):
    /// most give text outside the subset or invalid YAML, and the fast reader must give up on exactly those.
    /// </summary>
    [Fact]
    public void Random_edits_are_read_as_the_full_reader_reads_them_or_given_up()
    {
        var sources = new List<string>();
        var random = new Random(5);
        for (var i = 0; i < 200; i++)
        {
            sources.Add(GoYaml.Write(new JsonObject { ["root"] = RandomJson.Node(random, 0), ["s"] = Scalar(random), ["l"] = new JsonArray(Scalar(random), new JsonObject { ["k"] = Scalar(random) }) }));
        }

        sources.Add("spec:\n  containers:\n  - name: app\n    resources: {\"limits\":{\"cpu\":\"1\"}}\n    args:\n    - \"-p\"\n    - '15001'\n");
        var pieces = new[] { ":", ": ", "- ", "-", "#", " #", "\"", "'", "{", "}", "[", "]", ",", " ", "  ", "\n", "\n  ", "\n\n", "&a ", "*a", "!", "|", "|-", "|+", "|\n", ">", "?", "\\", "\\u", "<<: ", "~", "@", "%" };
        var clock = Stopwatch.StartNew();
        var (tried, read) = (0, 0);
        while (tried < 40_000 && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            var text = sources[random.Next(sources.Count)];
            var at = random.Next(text.Length + 1);
            text = random.Next(4) switch
            {
                0 when text.Length > 0 && at < text.Length => text.Remove(at, 1),
                1 => ReIndent(text, random),
                _ => text.Insert(at, pieces[random.Next(pieces.Length)]),
            };

            if (Agree(text))
            {
                read++;
            }

            tried++;
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"read {read} of {tried} edited texts");
        Assert.True(tried >= 5_000, $"only {tried} edits in the time");
        Assert.True(read > tried / 10, $"the fast reader read only {read} of {tried} edited texts");
    }

    /// <summary>Whether the fast reader read <paramref name="text"/>; fails when it did and the full reader reads it otherwise or refuses it.</summary>
    private static bool Agree(string text)
    {
        if (!GoYamlFastReader.TryRead(text, YamlLimits.Default, out _))
        {
            return false;
        }

        string full;
        try
        {
            full = Full(text);
        }
        catch (YamlFormatException e)
        {
            Assert.Fail($"the fast reader read text the full reader refuses ({e.Message}):\n{text}");
            throw;
        }

        Assert.True(full == Fast(text), $"the readers differ on:\n{text}\nfull: {full}\nfast: {Fast(text)}");
        return true;
    }

    private static string Full(string text) => Describe(GoYamlReader.ReadAll(text, YamlLimits.Default, fast: false).Single());

    private static string Fast(string text)
    {
        Assert.True(GoYamlFastReader.TryRead(text, YamlLimits.Default, out var document));
        return Describe(document);
    }

    /// <summary>The tree with every value's type (a long, a double and a string of the same text differ).</summary>
    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject o => "{" + string.Join(",", o.Select(p => $"{JsonValue.Create(p.Key).ToJsonString()}:{Describe(p.Value)}")) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Describe)) + "]",
        _ => $"{node.GetType().Name}:{node.ToJsonString()}",
    };

    private static JsonNode? Scalar(Random random) => random.Next(8) switch
    {
        0 => JsonValue.Create("with: colon"),
        1 => JsonValue.Create("hash #x"),
        2 => JsonValue.Create(random.NextDouble() * 1e6),
        3 => JsonValue.Create("-p"),
        4 => JsonValue.Create("line\nbreak"),
        5 => JsonValue.Create("'quoted' \"both\" é ☃"),
        6 => JsonValue.Create("true"),
        _ => JsonValue.Create($"plain-{random.Next(100)}"),
    };

    private static string ReIndent(string text, Random random)
    {
        var lines = text.Split('\n');
        var i = random.Next(lines.Length);
        lines[i] = random.Next(2) == 0 ? " " + lines[i] : lines[i].TrimStart(' ');
        return string.Join('\n', lines);
    }
}
