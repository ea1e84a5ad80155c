using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Injector.Documents;

/// <summary>
/// Block-style YAML writer that reproduces go-yaml v2's encoder + libyaml emitter byte for byte, as used by
/// sigs.k8s.io/yaml. It keeps libyaml's emitter state (column, indent, whitespace, indention) instead of
/// hand-written layout rules, because the exact placement of spaces and breaks falls out of that state.
/// </summary>
internal sealed class GoYamlEmitter
{
    private const int BestIndent = 2;
    private const int MaxSimpleKeyLength = 128;

    // go-yaml v2 never sets a width, so libyaml's default of 80 columns applies: long flow scalars are folded at spaces.
    private const int BestWidth = 80;

    private readonly StringBuilder _out = new();
    private readonly Stack<int> _indents = new();
    private int _indent = -1;
    private int _column;
    private bool _whitespace = true;
    private bool _indention = true;
    private bool _openEnded;

    public static string Write(JsonNode? node)
    {
        var emitter = new GoYamlEmitter();
        emitter.EmitNode(node, mappingContext: false, simpleKey: false);

        // Document end: break the last line, then "..." if a "|+" scalar left the stream open-ended.
        emitter.WriteIndent();
        if (emitter._openEnded)
        {
            emitter.WriteIndicator("...", needWhitespace: true, isWhitespace: false, isIndention: false);
            emitter.WriteIndent();
        }

        return emitter._out.ToString();
    }

    private void EmitNode(JsonNode? node, bool mappingContext, bool simpleKey)
    {
        switch (node)
        {
            case JsonObject { Count: 0 }:
                EmitEmptyFlow("{", "}");
                break;
            case JsonObject obj:
                EmitBlockMapping(obj);
                break;
            case JsonArray { Count: 0 }:
                EmitEmptyFlow("[", "]");
                break;
            case JsonArray array:
                EmitBlockSequence(array, mappingContext);
                break;
            default:
                var (text, style) = ScalarText(node);
                EmitScalar(text, style, simpleKey);
                break;
        }
    }

    /// <summary>How go-yaml's encoder would present a JSON scalar: its text and the style it asks for.</summary>
    internal static (string Text, GoYamlScalarStyle Style) ScalarText(JsonNode? node)
    {
        if (node is null)
        {
            return ("null", GoYamlScalarStyle.Plain);
        }

        var value = node.AsValue();
        switch (value.GetValueKind())
        {
            case JsonValueKind.True:
                return ("true", GoYamlScalarStyle.Plain);
            case JsonValueKind.False:
                return ("false", GoYamlScalarStyle.Plain);
            case JsonValueKind.Null:
            case JsonValueKind.Undefined:
                return ("null", GoYamlScalarStyle.Plain);
            case JsonValueKind.String:
                var s = value.GetValue<string>();
                return (s, StringStyle(s));
            case JsonValueKind.Number:
                return (NumberText(value), GoYamlScalarStyle.Plain);
            default:
                throw new InvalidOperationException($"Unsupported JSON value kind {value.GetValueKind()}.");
        }
    }

    /// <summary>go-yaml v2 <c>encoder.stringv</c>: literal for multi-line text, quoted when plain would change the type.</summary>
    internal static GoYamlScalarStyle StringStyle(string s)
    {
        if (s.Contains('\n', StringComparison.Ordinal))
        {
            return GoYamlScalarStyle.Literal;
        }

        return GoYamlScalarResolver.CanBePlainString(s) ? GoYamlScalarStyle.Plain : GoYamlScalarStyle.DoubleQuoted;
    }

    private static string NumberText(JsonValue value)
    {
        if (value.TryGetValue<long>(out var l))
        {
            return l.ToString(CultureInfo.InvariantCulture);
        }

        if (value.TryGetValue<int>(out var i))
        {
            return i.ToString(CultureInfo.InvariantCulture);
        }

        if (value.TryGetValue<ulong>(out var ul))
        {
            return ul.ToString(CultureInfo.InvariantCulture);
        }

        if (value.TryGetValue<JsonElement>(out var element))
        {
            // Values parsed from JSON text: integers stay integers, like go-yaml resolving the JSON number.
            if (element.TryGetInt64(out var el))
            {
                return el.ToString(CultureInfo.InvariantCulture);
            }

            return FloatText(element.GetDouble());
        }

        return FloatText(value.GetValue<double>());
    }

    internal static string FloatText(double d) => Injector.Shared.GoStrconv.FormatFloat(d, 'g', -1) switch
    {
        "+Inf" => ".inf",
        "-Inf" => "-.inf",
        "NaN" => ".nan",
        var s => s,
    };

    private void EmitEmptyFlow(string open, string close)
    {
        WriteIndicator(open, needWhitespace: true, isWhitespace: true, isIndention: false);
        WriteIndicator(close, needWhitespace: false, isWhitespace: false, isIndention: false);
    }

    private void EmitBlockSequence(JsonArray array, bool mappingContext)
    {
        // A sequence that is a mapping value stays at the key's indentation ("key:\n- a").
        IncreaseIndent(flow: false, indentless: mappingContext && !_indention);
        foreach (var item in array)
        {
            WriteIndent();
            WriteIndicator("-", needWhitespace: true, isWhitespace: false, isIndention: true);
            EmitNode(item, mappingContext: false, simpleKey: false);
        }

        _indent = _indents.Pop();
    }

    private void EmitBlockMapping(JsonObject obj)
    {
        IncreaseIndent(flow: false, indentless: false);
        var keys = new string[obj.Count];
        var n = 0;
        foreach (var pair in obj)
        {
            keys[n++] = pair.Key;
        }

        Array.Sort(keys, GoYamlKeyOrder.Instance);
        foreach (var key in keys)
        {
            WriteIndent();
            var style = StringStyle(key);
            if (IsSimpleKey(key))
            {
                EmitScalar(key, style, simpleKey: true);
                WriteIndicator(":", needWhitespace: false, isWhitespace: false, isIndention: false);
            }
            else
            {
                WriteIndicator("?", needWhitespace: true, isWhitespace: false, isIndention: true);
                EmitScalar(key, style, simpleKey: false);
                WriteIndent();
                WriteIndicator(":", needWhitespace: true, isWhitespace: false, isIndention: true);
            }

            EmitNode(obj[key], mappingContext: true, simpleKey: false);
        }

        _indent = _indents.Pop();
    }

    private static bool IsSimpleKey(string key) =>
        !GoYamlScalarAnalysis.Analyze(key).Multiline && Encoding.UTF8.GetByteCount(key) <= MaxSimpleKeyLength;

    private void EmitScalar(string text, GoYamlScalarStyle requested, bool simpleKey)
    {
        var style = GoYamlScalarAnalysis.Analyze(text).Select(requested, simpleKey, text.Length == 0);
        IncreaseIndent(flow: true, indentless: false);
        switch (style)
        {
            case GoYamlScalarStyle.Plain:
                WritePlain(text, allowBreaks: !simpleKey);
                break;
            case GoYamlScalarStyle.SingleQuoted:
                WriteSingleQuoted(text, allowBreaks: !simpleKey);
                break;
            case GoYamlScalarStyle.DoubleQuoted:
                WriteDoubleQuoted(text, allowBreaks: !simpleKey);
                break;
            default:
                WriteLiteral(text);
                break;
        }

        _indent = _indents.Pop();
    }

    private void IncreaseIndent(bool flow, bool indentless)
    {
        _indents.Push(_indent);
        if (_indent < 0)
        {
            _indent = flow ? BestIndent : 0;
        }
        else if (!indentless)
        {
            _indent += BestIndent;
        }
    }

    private void WriteIndent()
    {
        var indent = Math.Max(_indent, 0);
        if (!_indention || _column > indent || (_column == indent && !_whitespace))
        {
            PutBreak();
        }

        while (_column < indent)
        {
            Put(' ');
        }

        _whitespace = true;
        _indention = true;
    }

    private void WriteIndicator(string indicator, bool needWhitespace, bool isWhitespace, bool isIndention)
    {
        if (needWhitespace && !_whitespace)
        {
            Put(' ');
        }

        _out.Append(indicator);
        _column += indicator.Length;
        _whitespace = isWhitespace;
        _indention = _indention && isIndention;
        _openEnded = false;
    }

    private void WritePlain(string value, bool allowBreaks)
    {
        if (value.Length > 0 && !_whitespace)
        {
            Put(' ');
        }

        // Plain scalars never contain breaks here (the analysis forbids it); long ones fold at a single space.
        var runes = GoYamlScalarAnalysis.Runes(value);
        var spaces = false;
        for (var i = 0; i < runes.Length; i++)
        {
            var c = runes[i];
            if (c == ' ')
            {
                if (allowBreaks && !spaces && _column > BestWidth && !IsSpaceAt(runes, i + 1))
                {
                    WriteIndent();
                }
                else
                {
                    PutRune(c);
                }

                spaces = true;
            }
            else
            {
                PutRune(c);
                spaces = false;
            }
        }

        if (value.Length > 0)
        {
            _whitespace = false;
        }

        _indention = false;
    }

    private void WriteSingleQuoted(string value, bool allowBreaks)
    {
        WriteIndicator("'", needWhitespace: true, isWhitespace: false, isIndention: false);
        var runes = GoYamlScalarAnalysis.Runes(value);
        var spaces = false;
        var breaks = false;
        for (var i = 0; i < runes.Length; i++)
        {
            var c = runes[i];
            if (c == ' ')
            {
                if (allowBreaks && !spaces && _column > BestWidth && i > 0 && i < runes.Length - 1 && !IsSpaceAt(runes, i + 1))
                {
                    WriteIndent();
                }
                else
                {
                    PutRune(c);
                }

                spaces = true;
            }
            else if (GoYamlScalarAnalysis.IsBreak(c))
            {
                if (!breaks && c == '\n')
                {
                    PutBreak();
                }

                WriteBreak(c);
                breaks = true;
            }
            else
            {
                if (breaks)
                {
                    WriteIndent();
                }

                if (c == '\'')
                {
                    Put('\'');
                }

                PutRune(c);
                _indention = false;
                spaces = false;
                breaks = false;
            }
        }

        WriteIndicator("'", needWhitespace: false, isWhitespace: false, isIndention: false);
        _whitespace = false;
        _indention = false;
    }

    private void WriteDoubleQuoted(string value, bool allowBreaks)
    {
        WriteIndicator("\"", needWhitespace: true, isWhitespace: false, isIndention: false);
        var runes = GoYamlScalarAnalysis.Runes(value);
        var spaces = false;
        for (var i = 0; i < runes.Length; i++)
        {
            var c = runes[i];
            if (!GoYamlScalarAnalysis.IsPrintable(c) || c == 0xFEFF || GoYamlScalarAnalysis.IsBreak(c) || c == '"' || c == '\\')
            {
                Put('\\');
                var escape = EscapeOf(c);
                _out.Append(escape);
                _column += escape.Length;
                spaces = false;
            }
            else if (c == ' ')
            {
                if (allowBreaks && !spaces && _column > BestWidth && i > 0 && i < runes.Length - 1)
                {
                    WriteIndent();
                    if (IsSpaceAt(runes, i + 1))
                    {
                        // A folded line starting with a space must escape it, or the reader would strip it.
                        Put('\\');
                    }
                }
                else
                {
                    PutRune(c);
                }

                spaces = true;
            }
            else
            {
                PutRune(c);
                spaces = false;
            }
        }

        WriteIndicator("\"", needWhitespace: false, isWhitespace: false, isIndention: false);
        _whitespace = false;
        _indention = false;
    }

    private static string EscapeOf(int c) => c switch
    {
        0x00 => "0",
        0x07 => "a",
        0x08 => "b",
        0x09 => "t",
        0x0A => "n",
        0x0B => "v",
        0x0C => "f",
        0x0D => "r",
        0x1B => "e",
        0x22 => "\"",
        0x5C => "\\",
        0x85 => "N",
        0xA0 => "_",
        0x2028 => "L",
        0x2029 => "P",
        <= 0xFF => "x" + c.ToString("X2", CultureInfo.InvariantCulture),
        <= 0xFFFF => "u" + c.ToString("X4", CultureInfo.InvariantCulture),
        _ => "U" + c.ToString("X8", CultureInfo.InvariantCulture),
    };

    private static bool IsSpaceAt(int[] runes, int i) => i < runes.Length && runes[i] == ' ';

    private void WriteLiteral(string value)
    {
        WriteIndicator("|", needWhitespace: true, isWhitespace: false, isIndention: false);
        WriteBlockScalarHints(value);
        PutBreak();
        _indention = true;
        _whitespace = true;
        var breaks = true;
        foreach (var c in GoYamlScalarAnalysis.Runes(value))
        {
            if (GoYamlScalarAnalysis.IsBreak(c))
            {
                WriteBreak(c);
                _indention = true;
                breaks = true;
            }
            else
            {
                if (breaks)
                {
                    WriteIndent();
                }

                PutRune(c);
                _indention = false;
                breaks = false;
            }
        }
    }

    private void WriteBlockScalarHints(string value)
    {
        var runes = GoYamlScalarAnalysis.Runes(value);
        if (runes.Length > 0 && (runes[0] == ' ' || GoYamlScalarAnalysis.IsBreak(runes[0])))
        {
            // The indentation indicator is libyaml's best_indent, not the actual column.
            WriteIndicator(BestIndent.ToString(CultureInfo.InvariantCulture), false, false, false);
        }

        _openEnded = false;
        string? chomp = null;
        var openEnded = false;
        if (runes.Length == 0 || !GoYamlScalarAnalysis.IsBreak(runes[^1]))
        {
            chomp = "-";
        }
        else if (runes.Length == 1 || GoYamlScalarAnalysis.IsBreak(runes[^2]))
        {
            chomp = "+";
            openEnded = true;
        }

        if (chomp is not null)
        {
            WriteIndicator(chomp, false, false, false);
        }

        _openEnded = openEnded;
    }

    private void WriteBreak(int c)
    {
        if (c == '\n')
        {
            PutBreak();
        }
        else
        {
            PutRune(c);
            _column = 0;
        }
    }

    private void PutBreak()
    {
        _out.Append('\n');
        _column = 0;
    }

    private void Put(char c)
    {
        _out.Append(c);
        _column++;
    }

    private void PutRune(int c)
    {
        _out.Append(GoYamlScalarAnalysis.FromRune(c));
        _column++;
    }
}
