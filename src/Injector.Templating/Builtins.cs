using System.Text;

namespace Injector.Templating;

/// <summary>
/// Go's predefined template functions (text/template funcs.go). They see Go's "missing value"
/// as-is; "and"/"or" are registered here but short-circuited by the executor.
/// </summary>
internal static class Builtins
{
    public static Dictionary<string, FunctionEntry> Create()
    {
        var map = new Dictionary<string, FunctionEntry>(StringComparer.Ordinal);
        void Add(string name, TemplateFunction fn) => map[name] = new FunctionEntry(name, fn, true, FunctionReads.Of(name), FunctionReads.Summary(name));

        Add("and", static a => a.Count == 0 ? null : a[^1]);
        Add("or", static a => a.Count == 0 ? null : a[^1]);
        Add("not", static a => Values.Bool(!Truth.IsTrue(Arg(a, 1, "not")[0])));
        Add("len", static a => Len(Arg(a, 1, "len")[0]));
        Add("index", Index);
        Add("slice", Slice);
        Add("print", static a => GoFormat.Sprint(Nils(a)));
        Add("println", static a => GoFormat.Sprintln(Nils(a)));
        Add("printf", static a =>
        {
            if (a.Count == 0 || a[0] is not string format)
            {
                throw new InvalidOperationException(a.Count == 0 ? "wrong number of args for printf: want at least 1 got 0" : "invalid value; expected string");
            }
            return GoFormat.Sprintf(format, Nils(a, 1));
        });
        Add("html", static a => HtmlEscape(EvalArgs(a)));
        Add("js", static a => JsEscape(EvalArgs(a)));
        Add("urlquery", static a => UrlQueryEscape(EvalArgs(a)));
        Add("call", Call);
        Add("eq", static a =>
        {
            if (a.Count < 2)
            {
                throw new InvalidOperationException("missing argument for comparison");
            }
            for (var i = 1; i < a.Count; i++)
            {
                if (Compare.Equal(a[0], a[i]))
                {
                    return Values.Bool(true);
                }
            }
            return Values.Bool(false);
        });
        Add("ne", static a => Values.Bool(!Compare.Equal(Arg(a, 2, "ne")[0], a[1])));
        Add("lt", static a => Values.Bool(Compare.Less(Arg(a, 2, "lt")[0], a[1])));
        Add("le", static a => Values.Bool(Compare.Less(Arg(a, 2, "le")[0], a[1]) || Compare.Equal(a[0], a[1])));
        Add("gt", static a => Values.Bool(!Compare.Less(Arg(a, 2, "gt")[0], a[1]) && !Compare.Equal(a[0], a[1])));
        Add("ge", static a => Values.Bool(!Compare.Less(Arg(a, 2, "ge")[0], a[1])));
        return map;
    }

    private static IReadOnlyList<object?> Arg(IReadOnlyList<object?> a, int n, string name) =>
        a.Count == n ? a : throw new InvalidOperationException($"wrong number of args for {name}: want {n} got {a.Count}");

    /// <summary>The arguments from <paramref name="start"/> on, with Go's missing value as nil.</summary>
    private static object?[] Nils(IReadOnlyList<object?> a, int start = 0)
    {
        if (a.Count <= start)
        {
            return [];
        }
        var list = new object?[a.Count - start];
        for (var i = start; i < a.Count; i++)
        {
            list[i - start] = Values.ForFunction(a[i]);
        }
        return list;
    }

    /// <summary>Go's evalArgs for the escapers: a single string argument is used as is, otherwise fmt.Sprint.</summary>
    private static string EvalArgs(IReadOnlyList<object?> a) => a.Count == 1 && a[0] is string s ? s : GoFormat.Sprint(Nils(a));

    private static object Len(object? item)
    {
        return item switch
        {
            null or Missing => throw new InvalidOperationException("len of nil pointer"),
            string s => (long)Encoding.UTF8.GetByteCount(s),
            _ when Values.IsMap(item) => (long)Values.MapCount(item),
            _ when Values.IsList(item) => (long)Values.AsList(item).Count,
            _ => throw new InvalidOperationException($"len of type {Values.GoTypeName(item)}"),
        };
    }

    private static object? Index(IReadOnlyList<object?> a)
    {
        if (a.Count == 0)
        {
            throw new InvalidOperationException("wrong number of args for index: want at least 1 got 0");
        }
        var item = a[0];
        for (var i = 1; i < a.Count; i++)
        {
            var key = Values.ForFunction(a[i]);
            switch (item)
            {
                case null or Missing:
                    throw new InvalidOperationException("index of untyped nil");
                case string s:
                    {
                        var bytes = Encoding.UTF8.GetBytes(s);
                        var x = IndexArg(key, bytes.Length);
                        item = (long)bytes[x];
                        break;
                    }
                default:
                    if (Values.IsMap(item))
                    {
                        if (key is not string k)
                        {
                            throw new InvalidOperationException(key is null ? "value is nil; should be of type string" : $"value has type {Values.GoTypeName(key)}; should be string");
                        }
                        // Go returns the zero value (nil) for an absent key.
                        item = Values.TryLookup(item, k, out var v) ? v : null;
                    }
                    else if (Values.IsList(item))
                    {
                        var list = Values.AsList(item);
                        item = list[IndexArg(key, list.Count)];
                    }
                    else
                    {
                        throw new InvalidOperationException($"can't index item of type {Values.GoTypeName(item)}");
                    }
                    break;
            }
        }
        return item;
    }

    private static int IndexArg(object? key, int cap)
    {
        if (key is not long x)
        {
            throw new InvalidOperationException(key is null ? "cannot index slice/array with nil" : $"cannot index slice/array with type {Values.GoTypeName(key)}");
        }
        if (x < 0 || x >= cap)
        {
            throw new InvalidOperationException($"index out of range: {x}");
        }
        return (int)x;
    }

    private static object? Slice(IReadOnlyList<object?> a)
    {
        if (a.Count == 0)
        {
            throw new InvalidOperationException("wrong number of args for slice: want at least 1 got 0");
        }
        var item = a[0];
        if (item is null or Missing)
        {
            throw new InvalidOperationException("slice of untyped nil");
        }
        if (a.Count > 4)
        {
            throw new InvalidOperationException($"too many slice indexes: {a.Count - 1}");
        }
        int length;
        string? str = null;
        IReadOnlyList<object?>? list = null;
        if (item is string s)
        {
            if (a.Count == 4)
            {
                throw new InvalidOperationException("cannot 3-index slice a string");
            }
            str = s;
            length = Encoding.UTF8.GetByteCount(s);
        }
        else if (Values.IsList(item))
        {
            list = Values.AsList(item);
            length = list.Count;
        }
        else
        {
            throw new InvalidOperationException($"can't slice item of type {Values.GoTypeName(item)}");
        }
        var idx = new[] { 0, length };
        for (var i = 1; i < a.Count && i <= 2; i++)
        {
            idx[i - 1] = IndexArg(Values.ForFunction(a[i]), length + 1);
        }
        if (a.Count == 4)
        {
            var cap = IndexArg(Values.ForFunction(a[3]), length + 1);
            if (idx[1] > cap)
            {
                throw new InvalidOperationException($"invalid slice index: {idx[1]} > {cap}");
            }
        }
        if (idx[0] > idx[1])
        {
            throw new InvalidOperationException($"invalid slice index: {idx[0]} > {idx[1]}");
        }
        if (str is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(str);
            return Encoding.UTF8.GetString(bytes, idx[0], idx[1] - idx[0]);
        }
        var result = new List<object?>(idx[1] - idx[0]);
        for (var i = idx[0]; i < idx[1]; i++)
        {
            result.Add(list![i]);
        }
        return result;
    }

    private static object? Call(IReadOnlyList<object?> a)
    {
        if (a.Count == 0)
        {
            throw new InvalidOperationException("wrong number of args for call: want at least 1 got 0");
        }
        return a[0] switch
        {
            TemplateFunction fn => fn(Nils(a, 1)),
            null or Missing => throw new InvalidOperationException("call of nil"),
            var other => throw new InvalidOperationException($"non-function of type {Values.GoTypeName(other)}"),
        };
    }

    private static string HtmlEscape(string s)
    {
        if (s.AsSpan().IndexOfAny("\"'&<>\0") < 0)
        {
            return s;
        }
        var sb = new StringBuilder(s.Length + 16);
        foreach (var c in s)
        {
            sb.Append(c switch
            {
                '"' => "&#34;",
                '\'' => "&#39;",
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '\0' => "\uFFFD",
                _ => c.ToString(),
            });
        }
        return sb.ToString();
    }

    private static string JsEscape(string s)
    {
        var sb = new StringBuilder(s.Length + 16);
        foreach (var r in s.EnumerateRunes())
        {
            var v = r.Value;
            switch (v)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\'': sb.Append("\\'"); break;
                case '"': sb.Append("\\\""); break;
                case '<': sb.Append("\\u003C"); break;
                case '>': sb.Append("\\u003E"); break;
                case '&': sb.Append("\\u0026"); break;
                case '=': sb.Append("\\u003D"); break;
                default:
                    if (v < ' ' || (v >= 0x7f && !Rune.IsLetterOrDigit(r) && !Rune.IsPunctuation(r) && !Rune.IsSymbol(r) && !Rune.IsWhiteSpace(r)))
                    {
                        sb.Append("\\u").Append(v.ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(r.ToString());
                    }
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>url.QueryEscape.</summary>
    public static string UrlQueryEscape(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                sb.Append(c);
            }
            else if (c == ' ')
            {
                sb.Append('+');
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return sb.ToString();
    }
}
