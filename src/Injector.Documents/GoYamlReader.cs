using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Injector.Documents;

/// <summary>
/// Builds JSON trees from YAML parser events with go-yaml v2 scalar resolution (what sigs.k8s.io/yaml does:
/// YAML → interface{} → JSON). Anchors are resolved by copying, since a JsonNode can only have one parent.
/// Every read is bounded by <see cref="YamlLimits"/>: nesting is checked before descending (a stack overflow cannot be
/// caught in .NET), and every node an alias copies is counted, refusing "excessive aliasing" as go-yaml does.
/// </summary>
internal sealed class GoYamlReader
{
    private const string StrTag = "tag:yaml.org,2002:str";
    private const string MergeKey = "<<";

    private readonly IParser _parser;
    private readonly YamlLimits _limits;
    private readonly Dictionary<string, (JsonNode? Node, long Nodes)> _anchors = new(StringComparer.Ordinal);
    private int _depth;
    private long _nodes;
    private long _aliasNodes;

    private GoYamlReader(IParser parser, YamlLimits limits)
    {
        _parser = parser;
        _limits = limits;
    }

    /// <summary>Every document of <paramref name="yaml"/>; <paramref name="fast"/> false reads with YamlDotNet even when <see cref="GoYamlFastReader"/> could (tests compare the two).</summary>
    public static List<JsonNode?> ReadAll(string yaml, YamlLimits limits, bool fast = true)
    {
        if (yaml.Length > limits.MaxChars)
        {
            throw new YamlFormatException($"the text is {yaml.Length} characters long, more than the limit of {limits.MaxChars}");
        }

        // What templates render is read without YamlDotNet when it can be (the same tree: see GoYamlFastReader).
        if (fast && GoYamlFastReader.TryRead(yaml, limits, out var document))
        {
            return [document];
        }

        var reader = new GoYamlReader(new Parser(new StringReader(yaml)), limits);
        try
        {
            return reader.ReadStream();
        }
        catch (YamlException e)
        {
            throw new YamlFormatException(e.Message, e.Start.Line, e.Start.Column, e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this on some malformed input; report where parsing got to.
            var at = reader._parser.Current?.End ?? Mark.Empty;
            throw new YamlFormatException(e.Message, at.Line, at.Column, e);
        }
    }

    private List<JsonNode?> ReadStream()
    {
        var documents = new List<JsonNode?>();
        _parser.Consume<StreamStart>();
        while (!_parser.TryConsume<StreamEnd>(out _))
        {
            _parser.Consume<DocumentStart>();
            _anchors.Clear();

            // A document holding nothing (only comments) is an empty plain scalar without tag or anchor.
            var empty = _parser.Current is Scalar { Style: ScalarStyle.Plain, Value.Length: 0, Tag.IsEmpty: true, Anchor.IsEmpty: true };
            var root = ReadNode();
            _parser.Consume<DocumentEnd>();
            if (!empty)
            {
                documents.Add(root);
            }
        }

        return documents;
    }

    private JsonNode? ReadNode()
    {
        var current = _parser.Current ?? throw new YamlFormatException("Unexpected end of YAML stream.");
        switch (current)
        {
            case AnchorAlias alias:
                _parser.MoveNext();
                if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    throw Error($"unknown anchor '{alias.Value.Value}' referenced", alias.Start);
                }

                CountAlias(target.Nodes, alias.Start);
                return target.Node?.DeepClone();
            case Scalar scalar:
                _parser.MoveNext();
                var before = Count(scalar.Start);
                return Remember(scalar.Anchor, ResolveScalar(scalar), before);
            case SequenceStart sequence:
                _parser.MoveNext();
                before = Count(sequence.Start);
                return Remember(sequence.Anchor, Nested(ReadSequence, sequence.Start), before);
            case MappingStart mapping:
                _parser.MoveNext();
                before = Count(mapping.Start);
                return Remember(mapping.Anchor, Nested(ReadMapping, mapping.Start), before);
            default:
                throw Error($"unexpected {current.GetType().Name}", current.Start);
        }
    }

    /// <summary>Reads a collection one level deeper, refusing to go past the depth limit before recursing.</summary>
    private T Nested<T>(Func<T> read, Mark at)
    {
        if (++_depth > _limits.MaxDepth)
        {
            throw Error($"the document nests deeper than the limit of {_limits.MaxDepth} levels", at);
        }

        var result = read();
        _depth--;
        return result;
    }

    /// <summary>Counts one node read from the text; returns the count before it, so an anchor knows its subtree's size.</summary>
    private long Count(Mark at)
    {
        var before = _nodes;
        if (++_nodes > _limits.MaxNodes)
        {
            throw Error($"the document holds more than the limit of {_limits.MaxNodes} nodes", at);
        }

        return before;
    }

    /// <summary>
    /// Counts the nodes an alias copies. go-yaml's rule ("excessive aliasing"): past 1,000 nodes, aliases may account
    /// for at most 99% of them, falling to 10% at 4 million; a billion-laughs document is refused long before it grows.
    /// </summary>
    private void CountAlias(long nodes, Mark at)
    {
        _nodes += nodes;
        _aliasNodes += nodes;
        if (_nodes > _limits.MaxNodes)
        {
            throw Error($"the document holds more than the limit of {_limits.MaxNodes} nodes once its aliases are expanded", at);
        }

        if (_aliasNodes > 100 && _nodes > 1000 && (double)_aliasNodes / _nodes > AllowedAliasRatio(_nodes))
        {
            throw Error($"the document contains excessive aliasing ({_aliasNodes} of its {_nodes} nodes are copies made by aliases)", at);
        }
    }

    private static double AllowedAliasRatio(long nodes) => nodes switch
    {
        <= 400_000 => 0.99,
        >= 4_000_000 => 0.10,
        _ => 0.99 - (0.89 * (nodes - 400_000) / 3_600_000.0),
    };

    private JsonNode? Remember(AnchorName anchor, JsonNode? node, long nodesBefore)
    {
        if (!anchor.IsEmpty)
        {
            _anchors[anchor.Value] = (node?.DeepClone(), _nodes - nodesBefore);
        }

        return node;
    }

    private JsonArray ReadSequence()
    {
        var array = new JsonArray(NodeOptions);
        while (!_parser.TryConsume<SequenceEnd>(out _))
        {
            array.Add(ReadNode());
        }

        return array;
    }

    /// <summary>
    /// Given to every map and list: a node without options asks its parent, up to the root, each time it is copied,
    /// and remembers only a found value (the rendered templates are copied into every pod).
    /// </summary>
    internal static readonly JsonNodeOptions NodeOptions = new();

    private JsonObject ReadMapping()
    {
        var obj = new JsonObject(NodeOptions);

        // Merged entries never override explicit keys, whichever comes first (YAML merge key semantics).
        List<JsonObject>? merges = null;
        while (!_parser.TryConsume<MappingEnd>(out _))
        {
            var keyEvent = _parser.Current!;
            var isMerge = keyEvent is Scalar { Style: ScalarStyle.Plain, Value: MergeKey, Tag.IsEmpty: true };
            var key = ReadNode();
            var value = ReadNode();
            if (isMerge)
            {
                merges ??= [];
                AddMergeSources(value, merges, keyEvent.Start);
                continue;
            }

            obj[KeyText(key, keyEvent.Start)] = value;
        }

        if (merges is not null)
        {
            foreach (var source in merges)
            {
                foreach (var (k, v) in source)
                {
                    if (!obj.ContainsKey(k))
                    {
                        obj[k] = v?.DeepClone();
                    }
                }
            }
        }

        return obj;
    }

    private static void AddMergeSources(JsonNode? value, List<JsonObject> merges, Mark at)
    {
        switch (value)
        {
            case JsonObject map:
                merges.Add(map);
                break;
            case JsonArray list:
                foreach (var item in list)
                {
                    if (item is not JsonObject map)
                    {
                        throw Error("map merge requires map or sequence of maps as the value", at);
                    }

                    merges.Add(map);
                }

                break;
            default:
                throw Error("map merge requires map or sequence of maps as the value", at);
        }
    }

    /// <summary>sigs.k8s.io/yaml turns non-string keys into their text form; collections cannot be keys in JSON.</summary>
    private static string KeyText(JsonNode? key, Mark at) => key switch
    {
        null or JsonValue => KeyText(key),
        _ => throw Error("mapping keys must be scalars to convert to JSON", at),
    };

    /// <summary>A scalar key's text.</summary>
    internal static string KeyText(JsonNode? key) => key is null ? "null" : GoYamlEmitter.ScalarText(key).Text;

    private static JsonNode? ResolveScalar(Scalar scalar)
    {
        var tag = scalar.Tag.IsEmpty ? string.Empty : scalar.Tag.Value;
        if (tag is StrTag or "!!str")
        {
            return JsonValue.Create(scalar.Value);
        }

        // Quoted and block scalars are strings unless a core tag (e.g. !!int) asks for resolution.
        if (scalar.Style != ScalarStyle.Plain && !IsCoreTag(tag))
        {
            return JsonValue.Create(scalar.Value);
        }

        return GoYamlScalarResolver.ToNode(scalar.Value);
    }

    private static bool IsCoreTag(string tag) =>
        tag.StartsWith("tag:yaml.org,2002:", StringComparison.Ordinal) && tag != StrTag;

    private static YamlFormatException Error(string message, Mark at) => new(message, at.Line, at.Column);
}
