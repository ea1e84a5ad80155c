using System.Text;

namespace Injector.Templating;

/// <summary>
/// encoding/json Marshal/MarshalIndent over the engine's values: map keys sorted, HTML characters
/// escaped as \u003c etc., floats formatted like Go (integral floats without ".0").
/// </summary>
internal static class GoJson
{
    /// <summary>Characters <see cref="WriteString"/> escapes: quote, backslash, HTML-sensitive, line separators and controls.</summary>
    private static readonly System.Buffers.SearchValues<char> NeedsEscape = System.Buffers.SearchValues.Create(
        "\"\\<>&\u2028\u2029\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F");

    public static string Serialize(object? v, bool indent = false)
    {
        if (v is string plain && plain.AsSpan().IndexOfAny(NeedsEscape) < 0)
        {
            // The common case (toJSON of an annotation, image or port): a quoted copy, built in place.
            return string.Create(plain.Length + 2, plain, static (span, s) =>
            {
                span[0] = '"';
                s.AsSpan().CopyTo(span[1..]);
                span[^1] = '"';
            });
        }
        // On an error the builder is simply not given back; the next call makes a new one.
        var sb = BuilderCache.Acquire();
        Write(sb, Values.ForFunction(v), indent, 0);
        return BuilderCache.ToStringAndReturn(sb);
    }

    private static void NewLine(StringBuilder sb, int depth)
    {
        sb.Append('\n').Append(' ', depth * 2);
    }

    private static void Write(StringBuilder sb, object? v, bool indent, int depth)
    {
        switch (v)
        {
            case null or Missing:
                sb.Append("null");
                return;
            case bool b:
                sb.Append(b ? "true" : "false");
                return;
            case long l:
                sb.Append(l.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return;
            case double d:
                if (!double.IsFinite(d))
                {
                    throw new InvalidOperationException($"json: unsupported value: {GoFormat.FormatValue(d)}");
                }
                var abs = Math.Abs(d);
                var exp = abs != 0 && (abs < 1e-6 || abs >= 1e21);
                var s = GoFormat.FormatFloat(d, exp ? 'e' : 'f', -1);
                if (exp)
                {
                    // Go cleans up e-09 to e-9.
                    var n = s.Length;
                    if (n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0')
                    {
                        s = s[..(n - 2)] + s[n - 1];
                    }
                }
                sb.Append(s);
                return;
            case string str:
                WriteString(sb, str);
                return;
        }
        if (Values.IsMap(v))
        {
            var entries = Values.SortedEntries(v);
            sb.Append('{');
            for (var i = 0; i < entries.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(',');
                }
                if (indent)
                {
                    NewLine(sb, depth + 1);
                }
                WriteString(sb, entries[i].Key);
                sb.Append(indent ? ": " : ":");
                Write(sb, entries[i].Value, indent, depth + 1);
            }
            if (indent && entries.Count > 0)
            {
                NewLine(sb, depth);
            }
            sb.Append('}');
            return;
        }
        if (Values.IsList(v))
        {
            var list = Values.AsList(v);
            sb.Append('[');
            for (var i = 0; i < list.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(',');
                }
                if (indent)
                {
                    NewLine(sb, depth + 1);
                }
                Write(sb, list[i], indent, depth + 1);
            }
            if (indent && list.Count > 0)
            {
                NewLine(sb, depth);
            }
            sb.Append(']');
            return;
        }
        WriteString(sb, v.ToString() ?? "");
    }

    public static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029':
                    sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        sb.Append('"');
    }

    /// <summary>json.Unmarshal into interface{}; returns false on invalid JSON.</summary>
    public static bool TryParse(string text, out object? value)
    {
        // Templates call fromJSON on absent annotations (""): answer without throwing and catching on every pod.
        if (string.IsNullOrWhiteSpace(text))
        {
            value = null;
            return false;
        }

        try
        {
            value = Values.UnwrapJsonNode(System.Text.Json.Nodes.JsonNode.Parse(text));
            return true;
        }
        catch (System.Text.Json.JsonException)
        {
            value = null;
            return false;
        }
    }
}
