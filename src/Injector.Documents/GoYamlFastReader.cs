using System.Text.Json.Nodes;

namespace Injector.Documents;

/// <summary>
/// Reads the YAML that templates render — one block mapping of block maps and lists, single-line plain or quoted
/// scalars, JSON written inline by <c>toJSON</c> — straight from the text, without YamlDotNet's token and event
/// objects (the parse was half of a rendered injection). Anything else (anchors, tags, block scalars, multi-line
/// scalars, comments after a value, directives, tabs, escapes other than JSON's) gives up, and
/// <see cref="GoYamlReader"/> reads the text instead, so what this accepts reads exactly as it would there.
/// </summary>
/// <remarks>
/// Giving up is a flag, not an exception: pods with odd annotations would otherwise throw on every injection. The
/// limits are those of <see cref="GoYamlReader"/>; a text past them gives up, and the full reader says why.
/// </remarks>
internal sealed class GoYamlFastReader
{
    private readonly string _text;
    private readonly YamlLimits _limits;
    private bool _gaveUp;
    private int _depth;
    private long _nodes;

    // The current line: where its content starts (an entry after "- " starts later than the line's indent), its
    // indent and its end (before the line break). _line is -1 past the last line.
    private int _line;
    private int _indent;
    private int _start;
    private int _end;

    private GoYamlFastReader(string text, YamlLimits limits)
    {
        _text = text;
        _limits = limits;
    }

    /// <summary>The document, or false when the text is not in the subset this reads (then nothing is said of it).</summary>
    public static bool TryRead(string text, YamlLimits limits, out JsonObject? document) => TryRead(text, limits, out document, out _);

    /// <summary>As above; <paramref name="line"/> is the line where it gave up (tests: what the subset lacks).</summary>
    internal static bool TryRead(string text, YamlLimits limits, out JsonObject? document, out string? line)
    {
        if (text.Length > limits.MaxChars)
        {
            (document, line) = (null, "(past the length limit)");
            return false;
        }

        var reader = new GoYamlFastReader(text, limits);
        document = reader.ReadDocument();
        var read = !reader._gaveUp && document is not null;
        line = read ? null : reader._line < 0 ? "(the end)" : text[reader._line..reader._end];
        return read;
    }

    private JsonObject? ReadDocument()
    {
        // Line breaks other than '\n', tabs, characters YAML does not allow unescaped, and anything outside the basic
        // plane: the full reader's.
        foreach (var c in _text)
        {
            if ((c < ' ' && c != '\n') || (c >= '\x7f' && (c <= '\x9f' || char.IsSurrogate(c) || c is '\u2028' or '\u2029' or '\ufeff' or '\ufffe' or '\uffff')))
            {
                return GiveUp<JsonObject>();
            }
        }

        Find(0);
        if (_line < 0 || _indent != 0)
        {
            return GiveUp<JsonObject>();
        }

        var map = ReadMapping(0);
        return _line >= 0 ? GiveUp<JsonObject>() : map;
    }

    /// <summary>Moves to the first line from <paramref name="from"/> with content (not blank, not a comment).</summary>
    private void Find(int from)
    {
        while (from < _text.Length)
        {
            var end = _text.IndexOf('\n', from);
            if (end < 0)
            {
                end = _text.Length;
            }

            var i = from;
            while (i < end && _text[i] == ' ')
            {
                i++;
            }

            if (i < end && _text[i] != '#')
            {
                // A document marker or a directive: the full reader knows them.
                if (i == from && (_text[i] == '%' || (end - from >= 3 && (_text.AsSpan(from, 3) is "---" or "..."))))
                {
                    _gaveUp = true;
                }

                (_line, _indent, _start, _end) = (from, i - from, i, end);
                return;
            }

            from = end + 1;
        }

        _line = -1;
    }

    private void Next() => Find(_end + 1);

    private JsonObject? ReadMapping(int indent)
    {
        if (!Enter())
        {
            return null;
        }

        var map = new JsonObject(GoYamlReader.NodeOptions);
        while (!_gaveUp)
        {
            // The key, up to ": " or a ':' ending the line.
            if (ReadKey() is not { } key)
            {
                return GiveUp<JsonObject>();
            }

            var value = ReadValue(indent);
            if (_gaveUp)
            {
                return null;
            }

            map[key] = value;
            if (_line < 0 || _indent < indent)
            {
                break;
            }

            // A sibling key must start the line at this indent; anything deeper is a continuation this does not read.
            if (_indent > indent || _start != _line + indent || IsEntry())
            {
                return GiveUp<JsonObject>();
            }
        }

        _depth--;
        return map;
    }

    private JsonArray? ReadSequence(int indent)
    {
        if (!Enter())
        {
            return null;
        }

        var list = new JsonArray(GoYamlReader.NodeOptions);
        while (!_gaveUp)
        {
            // "-" then spaces; the entry's content starts after them.
            var at = _start + 1;
            Spaces(ref at);

            if (at < _end && _text[at] == '-' && (at + 1 == _end || _text[at + 1] == ' '))
            {
                return GiveUp<JsonArray>();
            }

            JsonNode? item;
            if (at == _end)
            {
                Next();
                item = ReadNested(indent, sequenceAtSameIndent: false);
            }
            else if (KeyEnd(at) >= 0)
            {
                // A map starting on the entry's line: its keys are at the column of the first one.
                var column = at - _line;
                _start = at;
                _indent = column;
                item = ReadMapping(column);
            }
            else
            {
                _start = at;
                item = ReadValueHere(indent);
            }

            if (_gaveUp)
            {
                return null;
            }

            Count();
            list.Add(item);
            if (_line < 0 || _indent < indent)
            {
                break;
            }

            if (_indent > indent || !IsEntry())
            {
                if (_indent == indent)
                {
                    // A key at the list's indent belongs to the map holding the list.
                    break;
                }

                return GiveUp<JsonArray>();
            }
        }

        _depth--;
        return list;
    }

    /// <summary>What follows a key's ':'; leaves the reader on the next line.</summary>
    private JsonNode? ReadValue(int indent)
    {
        var at = _start;
        Spaces(ref at);

        if (at == _end)
        {
            // Nothing after the ':': a nested map or list on the next lines, else null.
            Count();
            Next();
            return ReadNested(indent, sequenceAtSameIndent: true);
        }

        _start = at;
        return ReadValueHere(indent);
    }

    /// <summary>A scalar or inline JSON from the current position to the end of the line.</summary>
    private JsonNode? ReadValueHere(int indent)
    {
        var at = _start;
        JsonNode? value;
        switch (_text[at])
        {
            case '"':
            case '\'':
                value = Quoted(ref at) is { } text ? JsonValue.Create(text) : null;
                break;
            case '{':
            case '[':
                value = Flow(ref at);
                break;
            case '|':
                return Literal(indent);
            case '&' or '*' or '!' or '>' or '%' or '@' or '`' or '#' or ',' or ']' or '}':
                return GiveUp<JsonNode>();
            default:
                value = Plain(ref at);
                break;
        }

        if (_gaveUp)
        {
            return null;
        }

        // Only spaces may follow on the line (a comment after a value is left to the full reader).
        Spaces(ref at);

        if (at != _end)
        {
            return GiveUp<JsonNode>();
        }

        Count();
        Next();

        // A deeper line after a scalar would continue it: not read here.
        if (_line >= 0 && _indent > indent)
        {
            return GiveUp<JsonNode>();
        }

        return value;
    }

    /// <summary>
    /// A literal block scalar ("|", "|-" or "|+", as go-yaml writes text with line breaks): the lines deeper than
    /// <paramref name="indent"/>, less the first one's indentation, each with its line break; clipped to one final
    /// break, stripped of it, or kept with the empty lines after it. An indentation indicator, a leading empty line, a
    /// line of spaces only past the indentation, or the text's end without a line break: the full reader's.
    /// </summary>
    private JsonNode? Literal(int indent)
    {
        var at = _start + 1;
        var chomp = at < _end && _text[at] is '-' or '+' ? _text[at++] : ' ';
        Spaces(ref at);
        if (at != _end)
        {
            return GiveUp<JsonNode>();
        }

        var text = new System.Text.StringBuilder();
        var block = -1;
        var from = _end + 1;
        while (from < _text.Length)
        {
            var end = _text.IndexOf('\n', from);
            if (end < 0)
            {
                return GiveUp<JsonNode>();
            }

            var spaces = 0;
            while (from + spaces < end && _text[from + spaces] == ' ')
            {
                spaces++;
            }

            if (from + spaces == end)
            {
                // An empty line (or spaces only) is a line break of the text, once its first line has set the indentation.
                if (block < 0 || spaces > block)
                {
                    return GiveUp<JsonNode>();
                }

                text.Append('\n');
            }
            else if (block < 0 && spaces > indent)
            {
                block = spaces;
                text.Append(_text, from + block, end - from - block).Append('\n');
            }
            else if (block >= 0 && spaces >= block)
            {
                text.Append(_text, from + block, end - from - block).Append('\n');
            }
            else
            {
                break;
            }

            from = end + 1;
        }

        if (block < 0)
        {
            return GiveUp<JsonNode>();
        }

        if (chomp != '+')
        {
            var length = text.Length;
            while (length > 0 && text[length - 1] == '\n')
            {
                length--;
            }

            text.Length = length;
            if (chomp == ' ')
            {
                text.Append('\n');
            }
        }

        Count();
        Find(from);
        return _line >= 0 && _indent > indent ? GiveUp<JsonNode>() : JsonValue.Create(text.ToString());
    }

    /// <summary>A map or list on the lines after a key or an empty entry, or null when the next line is not deeper.</summary>
    private JsonNode? ReadNested(int indent, bool sequenceAtSameIndent)
    {
        if (_line < 0 || _indent < indent)
        {
            return null;
        }

        if (_indent == indent)
        {
            // A map's value may be a list at the map's own indent.
            return sequenceAtSameIndent && IsEntry() ? ReadSequence(indent) : null;
        }

        return IsEntry() ? ReadSequence(_indent) : ReadMapping(_indent);
    }

    private bool IsEntry() => _text[_start] == '-' && (_start + 1 == _end || _text[_start + 1] == ' ');

    /// <summary>The key at the current position, leaving the position after its ':'; null when it is not a key this reads.</summary>
    private string? ReadKey()
    {
        // YamlDotNet finds a key's ':' only within 1,024 characters of where the key starts.
        var end = KeyEnd(_start);
        if (end < 0 || end - _start > 1024)
        {
            return null;
        }

        string key;
        var at = _start;
        if (_text[at] is '"' or '\'')
        {
            if (Quoted(ref at) is not { } quoted)
            {
                return null;
            }

            key = quoted;
        }
        else
        {
            var plain = _text.AsSpan(at, end - at).TrimEnd(' ');
            // A word starting with '*' in a map's first key makes YamlDotNet read the line as one scalar.
            if (plain is "<<" || !PlainStarts(plain) || plain.Contains(" *", StringComparison.Ordinal))
            {
                return null;
            }

            // Most keys are strings as written; others (true, 1, ~) are written as their value's text.
            key = plain.ToString();
            if (GoYamlScalarResolver.Resolve(key, out _) != GoYamlScalarKind.String)
            {
                key = GoYamlReader.KeyText(GoYamlScalarResolver.ToNode(key));
            }
        }

        Count();
        _start = end + 1;
        return key;
    }

    /// <summary>Where the ':' of a key starting at <paramref name="at"/> is (followed by a space or the line's end), or -1.</summary>
    private int KeyEnd(int at)
    {
        if (_text[at] is '"' or '\'')
        {
            var after = at;
            if (QuotedEnd(ref after) < 0)
            {
                return -1;
            }

            Spaces(ref after);

            return after < _end && _text[after] == ':' && (after + 1 == _end || _text[after + 1] == ' ') ? after : -1;
        }

        for (var i = at; i < _end; i++)
        {
            var c = _text[i];
            if (c == ':' && (i + 1 == _end || _text[i + 1] == ' '))
            {
                return i;
            }

            if (c == '#' && i > at && _text[i - 1] == ' ')
            {
                return -1;
            }
        }

        return -1;
    }

    /// <summary>Whether a plain scalar may start so (not with an indicator); quoted and flow starts are read elsewhere.</summary>
    private static bool PlainStarts(ReadOnlySpan<char> text)
    {
        if (text.Length == 0)
        {
            return false;
        }

        var c = text[0];
        if (c is '&' or '*' or '!' or '|' or '>' or '%' or '@' or '`' or '#' or ',' or '[' or ']' or '{' or '}' or '"' or '\'')
        {
            return false;
        }

        // A leading ':' is dropped by YamlDotNet after a flow collection (however far back): never read here.
        return c != ':' && (!(c is '-' or '?') || (text.Length > 1 && text[1] != ' '));
    }

    private JsonNode? Plain(ref int at)
    {
        var text = _text.AsSpan(at, _end - at).TrimEnd(' ');
        if (!PlainStarts(text) || text.Contains(": ", StringComparison.Ordinal) || text.Contains(" #", StringComparison.Ordinal) || text[^1] == ':')
        {
            return GiveUp<JsonNode>();
        }

        at += text.Length;
        return GoYamlScalarResolver.ToNode(text.ToString());
    }

    /// <summary>Where a quoted scalar starting at <paramref name="at"/> ends (after its closing quote, on this line), or -1.</summary>
    private int QuotedEnd(ref int at)
    {
        var quote = _text[at];
        for (var i = at + 1; i < _end; i++)
        {
            var c = _text[i];
            if (quote == '"' && c == '\\')
            {
                i++;
            }
            else if (c == quote)
            {
                if (quote == '\'' && i + 1 < _end && _text[i + 1] == '\'')
                {
                    i++;
                    continue;
                }

                at = i + 1;
                return at;
            }
        }

        return -1;
    }

    /// <summary>A quoted scalar's text (JSON's escapes only in double quotes); null after giving up.</summary>
    private string? Quoted(ref int at)
    {
        var quote = _text[at];
        var from = at + 1;
        var end = at;
        if (QuotedEnd(ref end) < 0)
        {
            return GiveUp<string>();
        }

        var body = _text.AsSpan(from, end - 1 - from);
        at = end;
        if (quote == '\'')
        {
            return body.Contains('\'') ? body.ToString().Replace("''", "'", StringComparison.Ordinal) : body.ToString();
        }

        if (!body.Contains('\\'))
        {
            return body.ToString();
        }

        var text = new System.Text.StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c != '\\')
            {
                text.Append(c);
                continue;
            }

            if (++i == body.Length)
            {
                return GiveUp<string>();
            }

            switch (body[i])
            {
                case '"': text.Append('"'); break;
                case '\\': text.Append('\\'); break;
                case '/': text.Append('/'); break;
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case 'u' when i + 4 < body.Length
                    && ushort.TryParse(body.Slice(i + 1, 4), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var code)
                    && !char.IsSurrogate((char)code):
                    text.Append((char)code);
                    i += 4;
                    break;
                default:
                    // YAML's own escapes (\x, \0, \N, a line continuation) and surrogates: the full reader's.
                    return GiveUp<string>();
            }
        }

        return text.ToString();
    }

    /// <summary>JSON on one line: objects with quoted keys, arrays, quoted strings and the plain tokens of JSON.</summary>
    private JsonNode? Flow(ref int at)
    {
        var open = _text[at];
        if (!Enter())
        {
            return null;
        }

        at++;
        Spaces(ref at);
        JsonNode result;
        if (open == '{')
        {
            var map = new JsonObject(GoYamlReader.NodeOptions);
            if (!Take(ref at, '}'))
            {
                do
                {
                    Spaces(ref at);
                    if (at >= _end || _text[at] != '"' || Quoted(ref at) is not { } key)
                    {
                        return GiveUp<JsonNode>();
                    }

                    Count();
                    Spaces(ref at);
                    if (!Take(ref at, ':'))
                    {
                        return GiveUp<JsonNode>();
                    }

                    Spaces(ref at);
                    var value = FlowValue(ref at);
                    if (_gaveUp)
                    {
                        return null;
                    }

                    map[key] = value;
                    Spaces(ref at);
                }
                while (Take(ref at, ','));

                if (!Take(ref at, '}'))
                {
                    return GiveUp<JsonNode>();
                }
            }

            result = map;
        }
        else
        {
            var list = new JsonArray(GoYamlReader.NodeOptions);
            if (!Take(ref at, ']'))
            {
                do
                {
                    Spaces(ref at);
                    var value = FlowValue(ref at);
                    if (_gaveUp)
                    {
                        return null;
                    }

                    list.Add(value);
                    Spaces(ref at);
                }
                while (Take(ref at, ','));

                if (!Take(ref at, ']'))
                {
                    return GiveUp<JsonNode>();
                }
            }

            result = list;
        }

        _depth--;
        return result;
    }

    private JsonNode? FlowValue(ref int at)
    {
        if (at >= _end)
        {
            return GiveUp<JsonNode>();
        }

        JsonNode? value;
        switch (_text[at])
        {
            case '"':
                value = Quoted(ref at) is { } text ? JsonValue.Create(text) : null;
                break;
            case '{':
            case '[':
                // Counted inside.
                return Flow(ref at);
            default:
                // true, false, null or a number, ended by what ends a plain scalar in flow.
                var from = at;
                while (at < _end && (char.IsAsciiLetterOrDigit(_text[at]) || _text[at] is '-' or '+' or '.'))
                {
                    at++;
                }

                var token = _text.AsSpan(from, at - from);
                if (token.Length == 0 || !(token is "true" or "false" or "null" || char.IsAsciiDigit(token[0]) || (token[0] == '-' && token.Length > 1 && char.IsAsciiDigit(token[1]))))
                {
                    return GiveUp<JsonNode>();
                }

                value = GoYamlScalarResolver.ToNode(token.ToString());
                break;
        }

        Count();
        return value;
    }

    private void Spaces(ref int at)
    {
        while (at < _end && _text[at] == ' ')
        {
            at++;
        }
    }

    private bool Take(ref int at, char c)
    {
        if (at < _end && _text[at] == c)
        {
            at++;
            return true;
        }

        return false;
    }

    /// <summary>One level deeper; gives up past the depth limit (the full reader refuses such text, saying why).</summary>
    private bool Enter()
    {
        Count();
        if (++_depth > _limits.MaxDepth)
        {
            _gaveUp = true;
        }

        return !_gaveUp;
    }

    private void Count()
    {
        if (++_nodes > _limits.MaxNodes)
        {
            _gaveUp = true;
        }
    }

    private T? GiveUp<T>()
        where T : class
    {
        _gaveUp = true;
        return null;
    }
}
