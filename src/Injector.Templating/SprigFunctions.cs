using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Injector.Templating;

/// <summary>
/// The sprig (Masterminds/sprig v3) functions Istio's templates use, with sprig's semantics:
/// lenient numeric casts, "empty" as Go zero values, string functions taking the subject last
/// so they work in pipelines.
/// </summary>
internal static class SprigFunctions
{
    private static readonly ConcurrentDictionary<string, Regex> RegexCache = new(StringComparer.Ordinal);

    public static IEnumerable<KeyValuePair<string, TemplateFunction>> All()
    {
        static KeyValuePair<string, TemplateFunction> F(string name, TemplateFunction fn) => new(name, fn);

        // Defaults and flow.
        yield return F("default", static a =>
        {
            Conv.AtLeast(a, 1);
            return a.Count < 2 || IsEmpty(a[1]) ? a[0] : a[1];
        });
        yield return F("empty", static a => Values.Bool(IsEmpty(a.Count > 0 ? a[0] : null)));
        yield return F("coalesce", static a => a.FirstOrDefault(static v => !IsEmpty(v)));
        yield return F("ternary", static a =>
        {
            Conv.Count(a, 3);
            return Conv.Bool(a, 2) ? a[0] : a[1];
        });
        yield return F("required", static a =>
        {
            Conv.Count(a, 2);
            var warn = Conv.Str(a, 0);
            return a[1] is null || a[1] is "" ? throw new InvalidOperationException(warn) : a[1];
        });
        yield return F("fail", static a =>
        {
            Conv.Count(a, 1);
            throw new InvalidOperationException(Conv.Str(a, 0));
        });

        // Lists.
        yield return F("list", static a => new List<object?>(a));
        yield return F("first", static a => ListArg(a, 0) is { Count: > 0 } l ? l[0] : null);
        yield return F("last", static a => ListArg(a, 0) is { Count: > 0 } l ? l[^1] : null);
        yield return F("rest", static a => ListArg(a, 0) is { Count: > 0 } l ? l.Skip(1).ToList() : null);
        yield return F("initial", static a => ListArg(a, 0) is { Count: > 0 } l ? l.Take(l.Count - 1).ToList() : null);
        TemplateFunction append = static a =>
        {
            Conv.Count(a, 2);
            var l = Values.ToNewList(a[0], extra: 1);
            l.Add(a[1]);
            return l;
        };
        yield return F("append", append);
        yield return F("push", append);
        yield return F("prepend", static a =>
        {
            Conv.Count(a, 2);
            var l = Values.ToNewList(a[0], extra: 1);
            l.Insert(0, a[1]);
            return l;
        });
        yield return F("concat", static a =>
        {
            var result = new List<object?>();
            foreach (var l in a)
            {
                result.AddRange(Values.ToNewList(l));
            }
            return result;
        });
        yield return F("uniq", static a =>
        {
            var result = new List<object?>();
            foreach (var v in ListArg(a, 0))
            {
                if (!result.Any(r => DeepEqual(r, v)))
                {
                    result.Add(v);
                }
            }
            return result;
        });
        yield return F("without", static a =>
        {
            Conv.AtLeast(a, 1);
            var omit = a.Skip(1).ToList();
            return ListArg(a, 0).Where(v => !omit.Any(o => DeepEqual(o, v))).ToList();
        });
        yield return F("has", static a =>
        {
            Conv.Count(a, 2);
            return Values.Bool(a[1] is not null && Values.ToNewList(a[1]).Any(v => DeepEqual(v, a[0])));
        });
        yield return F("compact", static a => ListArg(a, 0).Where(static v => !IsEmpty(v)).ToList());
        yield return F("until", static a => Range(0, Conv.Int(a, 0), Conv.Int(a, 0) >= 0 ? 1 : -1));
        yield return F("untilStep", static a =>
        {
            Conv.Count(a, 3);
            return Range(Conv.Int(a, 0), Conv.Int(a, 1), Conv.Int(a, 2));
        });
        yield return F("seq", Seq);

        // Dictionaries.
        yield return F("dict", static a =>
        {
            var d = new Dictionary<string, object?>((a.Count + 1) / 2, StringComparer.Ordinal);
            for (var i = 0; i < a.Count; i += 2)
            {
                d[Conv.StrVal(a[i])] = i + 1 < a.Count ? a[i + 1] : "";
            }
            return d;
        });
        yield return F("set", static a =>
        {
            Conv.Count(a, 3);
            var key = Conv.Str(a, 1);
            switch (a[0])
            {
                case IDictionary<string, object?> d:
                    d[key] = a[2];
                    return d;
                case JsonObject jo:
                    jo[key] = ToJsonNode(a[2]);
                    return jo;
                default:
                    throw new InvalidOperationException($"wrong type for value; expected map[string]interface {{}}; got {Values.GoTypeName(a[0])}");
            }
        });
        yield return F("unset", static a =>
        {
            Conv.Count(a, 2);
            var key = Conv.Str(a, 1);
            switch (a[0])
            {
                case IDictionary<string, object?> d:
                    d.Remove(key);
                    return d;
                case JsonObject jo:
                    jo.Remove(key);
                    return jo;
                default:
                    throw new InvalidOperationException($"wrong type for value; expected map[string]interface {{}}; got {Values.GoTypeName(a[0])}");
            }
        });
        yield return F("hasKey", static a =>
        {
            Conv.Count(a, 2);
            return Values.Bool(Values.TryLookup(Conv.MapArg(a, 0), Conv.Str(a, 1), out _));
        });
        yield return F("keys", static a =>
        {
            var keys = new List<object?>();
            for (var i = 0; i < a.Count; i++)
            {
                keys.AddRange(Values.SortedEntries(Conv.MapArg(a, i)).Select(static kv => (object?)kv.Key));
            }
            keys.Sort(static (x, y) => string.CompareOrdinal((string)x!, (string)y!));
            return keys;
        });
        yield return F("values", static a =>
        {
            Conv.Count(a, 1);
            return Values.SortedEntries(Conv.MapArg(a, 0)).Select(static kv => kv.Value).ToList();
        });
        yield return F("pluck", static a =>
        {
            Conv.AtLeast(a, 1);
            var key = Conv.Str(a, 0);
            var result = new List<object?>();
            for (var i = 1; i < a.Count; i++)
            {
                if (Values.TryLookup(Conv.MapArg(a, i), key, out var v))
                {
                    result.Add(v);
                }
            }
            return result;
        });
        yield return F("merge", static a => Merge(a, false));
        yield return F("mergeOverwrite", static a => Merge(a, true));
        yield return F("deepCopy", static a =>
        {
            Conv.Count(a, 1);
            return DeepCopy(a[0]);
        });

        // Strings.
        yield return F("join", static a =>
        {
            Conv.Count(a, 2);
            return string.Join(Conv.Str(a, 0), StrSlice(a[1]));
        });
        yield return F("split", static a =>
        {
            Conv.Count(a, 2);
            var parts = GoSplit(Conv.Str(a, 1), Conv.Str(a, 0));
            var d = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < parts.Count; i++)
            {
                d["_" + i.ToString(CultureInfo.InvariantCulture)] = parts[i];
            }
            return d;
        });
        yield return F("splitList", static a =>
        {
            Conv.Count(a, 2);
            return GoSplit(Conv.Str(a, 1), Conv.Str(a, 0)).Cast<object?>().ToList();
        });
        yield return F("toStrings", static a =>
        {
            Conv.Count(a, 1);
            return StrSlice(a[0]).Cast<object?>().ToList();
        });
        yield return F("trim", static a => Str1(a).Trim(GoSpace));
        yield return F("trimAll", static a =>
        {
            Conv.Count(a, 2);
            return Conv.Str(a, 1).Trim(Conv.Str(a, 0).ToCharArray());
        });
        yield return F("trimPrefix", static a =>
        {
            Conv.Count(a, 2);
            var (p, s) = (Conv.Str(a, 0), Conv.Str(a, 1));
            return s.StartsWith(p, StringComparison.Ordinal) ? s[p.Length..] : s;
        });
        yield return F("trimSuffix", static a =>
        {
            Conv.Count(a, 2);
            var (p, s) = (Conv.Str(a, 0), Conv.Str(a, 1));
            return s.EndsWith(p, StringComparison.Ordinal) ? s[..^p.Length] : s;
        });
        yield return F("trunc", static a =>
        {
            Conv.Count(a, 2);
            var (c, s) = (Conv.Int(a, 0), Conv.Str(a, 1));
            if (c < 0 && s.Length + c > 0)
            {
                return s[(s.Length + c)..];
            }
            return c >= 0 && s.Length > c ? s[..c] : s;
        });
        yield return F("upper", static a => Str1(a).ToUpperInvariant());
        yield return F("lower", static a => Str1(a).ToLowerInvariant());
        yield return F("title", static a => Title(Str1(a)));
        yield return F("repeat", static a =>
        {
            Conv.Count(a, 2);
            var n = Conv.Int(a, 0);
            var text = Conv.Str(a, 1);
            if (n < 0)
            {
                throw new InvalidOperationException("strings: negative Repeat count");
            }

            if ((long)n * text.Length > MaxGenerated)
            {
                throw new InvalidOperationException($"the result would be longer than {MaxGenerated} characters");
            }

            return string.Concat(Enumerable.Repeat(text, n));
        });
        yield return F("replace", static a =>
        {
            Conv.Count(a, 3);
            var (o, n, s) = (Conv.Str(a, 0), Conv.Str(a, 1), Conv.Str(a, 2));
            return o.Length == 0 ? GoReplaceEmpty(s, n) : s.Replace(o, n, StringComparison.Ordinal);
        });
        yield return F("substr", static a =>
        {
            Conv.Count(a, 3);
            var (start, end, s) = (Conv.Int(a, 0), Conv.Int(a, 1), Conv.Str(a, 2));
            if (start < 0)
            {
                return s[..Math.Clamp(end, 0, s.Length)];
            }
            if (end < 0 || end > s.Length)
            {
                return start > s.Length ? "" : s[start..];
            }
            return start > end ? throw new InvalidOperationException($"slice bounds out of range [{start}:{end}]") : s[start..end];
        });
        yield return F("nospace", static a => string.Concat(Str1(a).Where(static c => !char.IsWhiteSpace(c))));
        yield return F("quote", static a => string.Join(" ", a.Where(static v => v is not null).Select(static v => GoFormat.Quote(Conv.StrVal(v)))));
        yield return F("squote", static a => string.Join(" ", a.Where(static v => v is not null).Select(static v => "'" + Conv.StrVal(v) + "'")));
        yield return F("cat", static a => string.Join(" ", a.Where(static v => v is not null).Select(Conv.StrVal)));
        yield return F("indent", static a =>
        {
            Conv.Count(a, 2);
            return Indent(Conv.Int(a, 0), Conv.Str(a, 1));
        });
        yield return F("nindent", static a =>
        {
            Conv.Count(a, 2);
            return "\n" + Indent(Conv.Int(a, 0), Conv.Str(a, 1));
        });
        yield return F("contains", static a =>
        {
            Conv.Count(a, 2);
            return Values.Bool(Conv.Str(a, 1).Contains(Conv.Str(a, 0), StringComparison.Ordinal));
        });
        yield return F("hasPrefix", static a =>
        {
            Conv.Count(a, 2);
            return Values.Bool(Conv.Str(a, 1).StartsWith(Conv.Str(a, 0), StringComparison.Ordinal));
        });
        yield return F("hasSuffix", static a =>
        {
            Conv.Count(a, 2);
            return Values.Bool(Conv.Str(a, 1).EndsWith(Conv.Str(a, 0), StringComparison.Ordinal));
        });
        yield return F("toString", static a =>
        {
            Conv.Count(a, 1);
            return Conv.StrVal(a[0]);
        });

        // Encoding.
        yield return F("toJson", static a =>
        {
            Conv.Count(a, 1);
            return TryJson(a[0], false);
        });
        yield return F("toPrettyJson", static a =>
        {
            Conv.Count(a, 1);
            return TryJson(a[0], true);
        });
        yield return F("fromJson", static a => GoJson.TryParse(Str1(a), out var v) ? v : null);
        yield return F("b64enc", static a => Convert.ToBase64String(Encoding.UTF8.GetBytes(Str1(a))));
        yield return F("b64dec", static a =>
        {
            try
            {
                return Encoding.UTF8.GetString(Convert.FromBase64String(Str1(a)));
            }
            catch (FormatException)
            {
                return "illegal base64 data at input byte 0";
            }
        });
        yield return F("sha256sum", static a => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Str1(a)))));

        // Numbers.
        yield return F("atoi", static a => long.TryParse(Str1(a), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? l : 0L);
        yield return F("int", static a => Conv.ToInt64(One(a)));
        yield return F("int64", static a => Conv.ToInt64(One(a)));
        yield return F("float64", static a => Conv.ToFloat64(One(a)));
        yield return F("add", static a => a.Sum(Conv.ToInt64));
        yield return F("add1", static a => Conv.ToInt64(One(a)) + 1);
        yield return F("sub", static a =>
        {
            Conv.Count(a, 2);
            return Conv.ToInt64(a[0]) - Conv.ToInt64(a[1]);
        });
        yield return F("mul", static a =>
        {
            Conv.AtLeast(a, 1);
            return a.Aggregate(1L, static (acc, v) => acc * Conv.ToInt64(v));
        });
        yield return F("div", static a =>
        {
            Conv.Count(a, 2);
            var d = Conv.ToInt64(a[1]);
            return d == 0 ? throw new InvalidOperationException("runtime error: integer divide by zero") : Conv.ToInt64(a[0]) / d;
        });
        yield return F("mod", static a =>
        {
            Conv.Count(a, 2);
            var d = Conv.ToInt64(a[1]);
            return d == 0 ? throw new InvalidOperationException("runtime error: integer divide by zero") : Conv.ToInt64(a[0]) % d;
        });
        yield return F("max", static a =>
        {
            Conv.AtLeast(a, 1);
            return a.Max(Conv.ToInt64);
        });
        yield return F("min", static a =>
        {
            Conv.AtLeast(a, 1);
            return a.Min(Conv.ToInt64);
        });
        yield return F("floor", static a => Math.Floor(Conv.ToFloat64(One(a))));
        yield return F("ceil", static a => Math.Ceiling(Conv.ToFloat64(One(a))));
        yield return F("round", static a =>
        {
            Conv.AtLeast(a, 2);
            var roundOn = a.Count > 2 ? Conv.ToFloat64(a[2]) : .5;
            var pow = Math.Pow(10, Conv.ToFloat64(a[1]));
            var digit = pow * Conv.ToFloat64(a[0]);
            var frac = digit - Math.Truncate(digit);
            return (frac >= roundOn ? Math.Ceiling(digit) : Math.Floor(digit)) / pow;
        });

        // Regular expressions (Go RE2 syntax is close enough to .NET's for template use).
        yield return F("regexMatch", static a =>
        {
            Conv.Count(a, 2);
            return Values.Bool(GetRegex(Conv.Str(a, 0)).IsMatch(Conv.Str(a, 1)));
        });
        yield return F("regexFind", static a =>
        {
            Conv.Count(a, 2);
            var m = GetRegex(Conv.Str(a, 0)).Match(Conv.Str(a, 1));
            return m.Success ? m.Value : "";
        });
        yield return F("regexReplaceAll", static a =>
        {
            Conv.Count(a, 3);
            return GetRegex(Conv.Str(a, 0)).Replace(Conv.Str(a, 1), Conv.Str(a, 2));
        });
        yield return F("regexSplit", static a =>
        {
            Conv.Count(a, 3);
            var n = Conv.Int(a, 2);
            var s = Conv.Str(a, 1);
            if (n == 0)
            {
                return new List<object?>();
            }
            var parts = n < 0 ? GetRegex(Conv.Str(a, 0)).Split(s) : GetRegex(Conv.Str(a, 0)).Split(s, n);
            return parts.Cast<object?>().ToList();
        });

        // Reflection.
        yield return F("kindOf", static a => Values.GoKindName(One(a)));
        yield return F("kindIs", static a =>
        {
            Conv.Count(a, 2);
            return Values.Bool(Conv.Str(a, 0) == Values.GoKindName(a[1]));
        });
        yield return F("typeOf", static a => Values.GoTypeName(One(a)));

        // Versions.
        yield return F("semverCompare", static a =>
        {
            Conv.Count(a, 2);
            return Values.Bool(Semver.Satisfies(Conv.Str(a, 0), Conv.Str(a, 1)));
        });
    }

    private static readonly char[] GoSpace = [' ', '\t', '\n', '\v', '\f', '\r', '\u0085', '\u00A0'];

    private static object? One(IReadOnlyList<object?> a)
    {
        Conv.Count(a, 1);
        return a[0];
    }

    private static string Str1(IReadOnlyList<object?> a)
    {
        Conv.Count(a, 1);
        return Conv.Str(a, 0);
    }

    private static IReadOnlyList<object?> ListArg(IReadOnlyList<object?> a, int i)
    {
        Conv.AtLeast(a, i + 1);
        return Values.ToNewList(a[i]);
    }

    /// <summary>sprig's empty: Go zero values (nil, false, 0, "", empty collections).</summary>
    public static bool IsEmpty(object? v) => !Truth.IsTrue(v);

    /// <summary>Patterns kept compiled at most; a pattern built from pod values must not grow the cache without end.</summary>
    private const int MaxCachedRegexes = 256;

    /// <summary>Go's regexp runs in linear time; .NET's backtracking engine does not, so a match is bounded in time.</summary>
    internal static Regex GetRegex(string pattern)
    {
        if (RegexCache.TryGetValue(pattern, out var cached))
        {
            return cached;
        }

        if (RegexCache.Count >= MaxCachedRegexes)
        {
            RegexCache.Clear();
        }

        return RegexCache.GetOrAdd(pattern, static p => new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200)));
    }

    private static bool DeepEqual(object? a, object? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }
        if (Values.IsMap(a) || Values.IsList(a) || Values.IsMap(b) || Values.IsList(b))
        {
            return GoJson.Serialize(a) == GoJson.Serialize(b);
        }
        return a is long or double && b is long or double ? Convert.ToDouble(a, CultureInfo.InvariantCulture) == Convert.ToDouble(b, CultureInfo.InvariantCulture) : a.Equals(b);
    }

    /// <summary>
    /// The most elements <c>until</c>, <c>untilStep</c> and <c>seq</c> produce, and the longest string <c>repeat</c>
    /// builds: far beyond what a pod template needs, small enough that a value from a pod cannot exhaust memory.
    /// </summary>
    internal const int MaxGenerated = 1_000_000;

    private static List<object?> Range(int start, int stop, int step)
    {
        var list = new List<object?>();
        if (step == 0)
        {
            return list;
        }
        for (long i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            Limit(list.Count);
            list.Add(i);
        }
        return list;
    }

    private static void Limit(int count)
    {
        if (count >= MaxGenerated)
        {
            throw new InvalidOperationException($"the list would hold more than {MaxGenerated} elements");
        }
    }

    private static object? Seq(IReadOnlyList<object?> a)
    {
        var p = a.Select(static v => (int)Conv.ToInt64(v)).ToArray();
        var (start, step, end) = p.Length switch
        {
            0 => (1, 1, 0),
            1 => (1, p[0] >= 1 ? 1 : -1, p[0]),
            2 => (p[0], p[1] >= p[0] ? 1 : -1, p[1]),
            _ => (p[0], p[1], p[2]),
        };
        if (p.Length == 0)
        {
            return "";
        }
        var list = new List<string>();
        if (step == 0 || (step > 0 && start > end) || (step < 0 && start < end))
        {
            return "";
        }
        for (long i = start; step > 0 ? i <= end : i >= end; i += step)
        {
            Limit(list.Count);
            list.Add(i.ToString(CultureInfo.InvariantCulture));
        }
        return string.Join(" ", list);
    }

    /// <summary>sprig strslice: list elements as strings (nil elements skipped); a scalar becomes a one-element list.</summary>
    private static List<string> StrSlice(object? v)
    {
        if (v is null)
        {
            return [];
        }
        if (Values.IsList(v))
        {
            return [.. Values.AsList(v).Where(static e => e is not null).Select(Conv.StrVal)];
        }
        return [Conv.StrVal(v)];
    }

    /// <summary>strings.Split: an empty separator splits into UTF-8 sequences (characters).</summary>
    private static List<string> GoSplit(string s, string sep)
    {
        if (sep.Length == 0)
        {
            return [.. s.EnumerateRunes().Select(static r => r.ToString())];
        }
        return [.. s.Split(sep)];
    }

    private static string GoReplaceEmpty(string s, string n)
    {
        var sb = new StringBuilder(n);
        foreach (var r in s.EnumerateRunes())
        {
            sb.Append(r.ToString()).Append(n);
        }
        return sb.ToString();
    }

    /// <summary>strings.Title: upper-case the first letter of each word.</summary>
    private static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        var prev = ' ';
        foreach (var c in s)
        {
            var sep = prev < 0x80 ? !(char.IsAsciiLetterOrDigit(prev) || prev == '_') : !char.IsLetterOrDigit(prev) && char.IsWhiteSpace(prev);
            sb.Append(sep ? char.ToUpperInvariant(c) : c);
            prev = c;
        }
        return sb.ToString();
    }

    /// <summary>sprig indent: every line (including empty ones) gets the prefix.</summary>
    public static string Indent(int spaces, string v)
    {
        var pad = new string(' ', Math.Max(spaces, 0));
        return pad + v.Replace("\n", "\n" + pad, StringComparison.Ordinal);
    }

    private static string TryJson(object? v, bool indent)
    {
        try
        {
            return GoJson.Serialize(v, indent);
        }
        catch (InvalidOperationException)
        {
            return "";
        }
    }

    /// <summary>mergo-style deep merge into the first map (sprig merge / mergeOverwrite).</summary>
    private static object Merge(IReadOnlyList<object?> a, bool overwrite)
    {
        Conv.AtLeast(a, 1);
        var dst = a[0] as IDictionary<string, object?> ?? Conv.CopyMap(Conv.MapArg(a, 0));
        for (var i = 1; i < a.Count; i++)
        {
            MergeInto(dst, Conv.MapArg(a, i), overwrite);
        }
        return dst;
    }

    private static void MergeInto(IDictionary<string, object?> dst, object src, bool overwrite)
    {
        foreach (var (key, srcValue) in Values.SortedEntries(src))
        {
            var present = dst.TryGetValue(key, out var raw);
            var dstValue = Values.Normalize(raw);
            if (present && Values.IsMap(dstValue) && Values.IsMap(srcValue))
            {
                var nested = dstValue as IDictionary<string, object?> ?? Conv.CopyMap(dstValue);
                MergeInto(nested, srcValue!, overwrite);
                dst[key] = nested;
            }
            else if (!present || IsEmpty(dstValue) || (overwrite && !IsEmpty(srcValue)))
            {
                dst[key] = srcValue;
            }
        }
    }

    private static object? DeepCopy(object? v)
    {
        if (Values.IsMap(v))
        {
            var d = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var kv in Values.SortedEntries(v!))
            {
                d[kv.Key] = DeepCopy(kv.Value);
            }
            return d;
        }
        if (Values.IsList(v))
        {
            return Values.AsList(v!).Select(DeepCopy).ToList();
        }
        return v;
    }

    private static JsonNode? ToJsonNode(object? v) => v switch
    {
        null => null,
        JsonNode n => n.Parent is null ? n : n.DeepClone(),
        _ => JsonNode.Parse(GoJson.Serialize(v)),
    };
}
