using System.Globalization;
using System.Text;

namespace Injector.Templating;

/// <summary>
/// The subset of Go's fmt package that templates reach: %v printing of values (used by actions,
/// print and println) and printf verbs with flags, width and precision.
/// </summary>
internal static class GoFormat
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Go's %v of a value.</summary>
    public static string FormatValue(object? v)
    {
        switch (v)
        {
            case string s:
                return s;
            case long l:
                return l.ToString(Inv);
            case bool b:
                return b ? "true" : "false";
            case double d:
                return FormatFloat(d, 'g', -1);
        }
        var sb = BuilderCache.Acquire();
        AppendValue(sb, v, 'v');
        return BuilderCache.ToStringAndReturn(sb);
    }

    public static void AppendValue(StringBuilder sb, object? v, char verb)
    {
        switch (v)
        {
            case null:
                sb.Append("<nil>");
                return;
            case Missing:
                sb.Append("<no value>");
                return;
            case string s:
                sb.Append(s);
                return;
            case long l:
                sb.Append(l.ToString(Inv));
                return;
            case bool b:
                sb.Append(b ? "true" : "false");
                return;
            case double d:
                sb.Append(FormatFloat(d, 'g', -1));
                return;
        }
        if (Values.IsMap(v))
        {
            sb.Append("map[");
            var first = true;
            foreach (var kv in Values.SortedEntries(v))
            {
                if (!first)
                {
                    sb.Append(' ');
                }
                first = false;
                sb.Append(kv.Key).Append(':');
                AppendVerb(sb, kv.Value, new Spec { Verb = verb });
            }
            sb.Append(']');
            return;
        }
        if (Values.IsList(v))
        {
            sb.Append('[');
            var list = Values.AsList(v);
            for (var i = 0; i < list.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(' ');
                }
                AppendVerb(sb, list[i], new Spec { Verb = verb });
            }
            sb.Append(']');
            return;
        }
        sb.Append(v is ITemplateFields ? "{" + v + "}" : v.ToString());
    }

    /// <summary>fmt.Sprint: spaces between operands when neither side is a string.</summary>
    public static string Sprint(IReadOnlyList<object?> args)
    {
        var sb = BuilderCache.Acquire();
        for (var i = 0; i < args.Count; i++)
        {
            if (i > 0 && args[i] is not string && args[i - 1] is not string)
            {
                sb.Append(' ');
            }
            AppendValue(sb, args[i], 'v');
        }
        return BuilderCache.ToStringAndReturn(sb);
    }

    /// <summary>fmt.Sprintln: always spaces, trailing newline.</summary>
    public static string Sprintln(IReadOnlyList<object?> args)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < args.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }
            AppendValue(sb, args[i], 'v');
        }
        sb.Append('\n');
        return sb.ToString();
    }

    private struct Spec
    {
        public char Verb;
        public bool Minus;
        public bool Plus;
        public bool Space;
        public bool Zero;
        public bool Sharp;
        public int Width;
        public int Prec;
        public bool HasPrec;
    }

    /// <summary>fmt.Sprintf with Go's error notation for bad verbs, missing and extra arguments.</summary>
    public static string Sprintf(string format, IReadOnlyList<object?> args)
    {
        var sb = BuilderCache.Acquire();
        var argIndex = 0;
        var i = 0;
        while (i < format.Length)
        {
            var c = format[i];
            if (c != '%')
            {
                sb.Append(c);
                i++;
                continue;
            }
            i++;
            var spec = new Spec { Width = -1 };
            for (; i < format.Length; i++)
            {
                switch (format[i])
                {
                    case '-': spec.Minus = true; spec.Zero = false; continue;
                    case '+': spec.Plus = true; continue;
                    case ' ': spec.Space = true; continue;
                    case '0': spec.Zero = !spec.Minus; continue;
                    case '#': spec.Sharp = true; continue;
                }
                break;
            }
            if (i < format.Length && format[i] == '*')
            {
                i++;
                if (argIndex < args.Count && args[argIndex] is long w)
                {
                    spec.Width = (int)w;
                    if (w < 0)
                    {
                        spec.Minus = true;
                        spec.Width = (int)-w;
                    }
                }
                else
                {
                    sb.Append("%!(BADWIDTH)");
                }
                argIndex++;
            }
            else
            {
                spec.Width = ParseNum(format, ref i);
            }
            if (i < format.Length && format[i] == '.')
            {
                i++;
                spec.HasPrec = true;
                if (i < format.Length && format[i] == '*')
                {
                    i++;
                    spec.Prec = argIndex < args.Count && args[argIndex] is long p ? (int)p : 0;
                    argIndex++;
                }
                else
                {
                    spec.Prec = Math.Max(ParseNum(format, ref i), 0);
                }
            }
            if (i >= format.Length)
            {
                sb.Append("%!(NOVERB)");
                break;
            }
            spec.Verb = format[i++];
            if (spec.Verb == '%')
            {
                sb.Append('%');
                continue;
            }
            if (argIndex >= args.Count)
            {
                sb.Append("%!").Append(spec.Verb).Append("(MISSING)");
                continue;
            }
            AppendVerb(sb, args[argIndex++], spec);
        }
        if (argIndex < args.Count)
        {
            sb.Append("%!(EXTRA ");
            for (var k = argIndex; k < args.Count; k++)
            {
                if (k > argIndex)
                {
                    sb.Append(", ");
                }
                sb.Append(Values.GoTypeName(args[k])).Append('=');
                AppendValue(sb, args[k], 'v');
            }
            sb.Append(')');
        }
        return BuilderCache.ToStringAndReturn(sb);
    }

    private static int ParseNum(string s, ref int i)
    {
        var start = i;
        var n = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            n = (n * 10) + (s[i] - '0');
            i++;
        }
        return i == start ? -1 : n;
    }

    private static void AppendVerb(StringBuilder sb, object? arg, Spec spec)
    {
        var verb = spec.Verb;
        string? body = null;
        var numeric = false;
        switch (arg)
        {
            case string s:
                body = verb switch
                {
                    'v' or 's' => spec.HasPrec ? TruncateRunes(s, spec.Prec) : s,
                    'q' => Quote(spec.HasPrec ? TruncateRunes(s, spec.Prec) : s),
                    'x' => Hex(Encoding.UTF8.GetBytes(s), false),
                    'X' => Hex(Encoding.UTF8.GetBytes(s), true),
                    _ => null,
                };
                break;
            case bool b:
                body = verb is 'v' or 't' ? (b ? "true" : "false") : null;
                break;
            case long l:
                numeric = true;
                body = verb switch
                {
                    'v' or 'd' => Sign(l < 0, spec) + IntDigits(l, 10, false, spec),
                    'x' => Sign(l < 0, spec) + (spec.Sharp ? "0x" : "") + IntDigits(l, 16, false, spec),
                    'X' => Sign(l < 0, spec) + (spec.Sharp ? "0X" : "") + IntDigits(l, 16, true, spec),
                    'o' => Sign(l < 0, spec) + (spec.Sharp ? "0" : "") + IntDigits(l, 8, false, spec),
                    'b' => Sign(l < 0, spec) + IntDigits(l, 2, false, spec),
                    'c' => char.ConvertFromUtf32((int)l),
                    'q' => "'" + char.ConvertFromUtf32((int)l) + "'",
                    'U' => "U+" + l.ToString("X4", Inv),
                    // Lenient: JSON integers arrive as long where Go would hold float64.
                    'e' or 'E' or 'f' or 'F' or 'g' or 'G' => Sign(l < 0, spec) + FormatFloat(Math.Abs((double)l), verb, FloatPrec(spec)),
                    _ => null,
                };
                break;
            case double d:
                numeric = true;
                var p = spec.HasPrec ? spec.Prec : -1;
                var neg = d < 0 || (d == 0 && double.IsNegative(d));
                body = verb switch
                {
                    'v' => Sign(neg, spec) + FormatFloat(Math.Abs(d), 'g', p),
                    'e' or 'E' or 'f' or 'F' or 'g' or 'G' => Sign(neg, spec) + FormatFloat(Math.Abs(d), verb, FloatPrec(spec)),
                    // Lenient: an integral float64 formats with %d like the integer it is.
                    'd' when d == Math.Floor(d) && Math.Abs(d) < 9.2e18 => Sign(neg, spec) + IntDigits((long)d, 10, false, spec),
                    _ => null,
                };
                break;
            case null:
                body = verb switch
                {
                    'v' or 's' => "<nil>",
                    _ => null,
                };
                if (body is null)
                {
                    sb.Append("%!").Append(verb).Append("(<nil>)");
                    return;
                }
                break;
            default:
                if (Values.IsList(arg) || Values.IsMap(arg) || verb is 'v' or 's')
                {
                    var inner = new StringBuilder();
                    AppendValue(inner, arg, verb);
                    body = inner.ToString();
                }
                break;
        }
        if (body is null)
        {
            sb.Append("%!").Append(verb).Append('(').Append(Values.GoTypeName(arg)).Append('=');
            AppendValue(sb, arg, 'v');
            sb.Append(')');
            return;
        }
        Pad(sb, body, spec, numeric);
    }

    private static void Pad(StringBuilder sb, string body, Spec spec, bool numeric)
    {
        var padLen = spec.Width - body.Length;
        if (padLen <= 0)
        {
            sb.Append(body);
            return;
        }
        if (spec.Minus)
        {
            sb.Append(body).Append(' ', padLen);
        }
        else if (spec.Zero && numeric && !body.Contains("Inf", StringComparison.Ordinal) && !body.Contains("NaN", StringComparison.Ordinal))
        {
            // Zeros go after the sign.
            var signLen = body.Length > 0 && body[0] is '+' or '-' or ' ' ? 1 : 0;
            sb.Append(body, 0, signLen).Append('0', padLen).Append(body, signLen, body.Length - signLen);
        }
        else
        {
            sb.Append(' ', padLen).Append(body);
        }
    }

    /// <summary>fmt defaults %e and %f to precision 6; %g and %v use the shortest representation.</summary>
    private static int FloatPrec(Spec spec) => spec.HasPrec ? spec.Prec : spec.Verb is 'g' or 'G' ? -1 : 6;

    private static string Sign(bool negative, Spec spec) => negative ? "-" : spec.Plus ? "+" : spec.Space ? " " : "";

    private static string IntDigits(long l, int radix, bool upper, Spec spec)
    {
        var u = l < 0 ? (ulong)(-(l + 1)) + 1 : (ulong)l;
        var s = radix == 10 ? u.ToString(Inv) : Convert.ToString((long)u, radix);
        if (l == long.MinValue && radix != 10)
        {
            s = Convert.ToString(long.MinValue, radix).TrimStart('-');
        }
        if (upper)
        {
            s = s.ToUpperInvariant();
        }
        if (spec.HasPrec && s.Length < spec.Prec)
        {
            s = new string('0', spec.Prec - s.Length) + s;
        }
        return s;
    }

    private static string TruncateRunes(string s, int n)
    {
        var e = StringInfoRunes(s);
        return e.Count <= n ? s : string.Concat(e.Take(n));
    }

    private static List<string> StringInfoRunes(string s)
    {
        var list = new List<string>();
        foreach (var r in s.EnumerateRunes())
        {
            list.Add(r.ToString());
        }
        return list;
    }

    private static string Hex(byte[] bytes, bool upper)
    {
        var s = Convert.ToHexString(bytes);
        return upper ? s : s.ToLowerInvariant();
    }

    /// <summary>strconv.FormatFloat for verbs e, E, f, F, g, G; prec -1 means shortest (the %v form).</summary>
    public static string FormatFloat(double d, char verb, int prec) => Injector.Shared.GoStrconv.FormatFloat(d, verb, prec);

    /// <summary>strconv.Quote: double-quoted Go string literal with Go escapes.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        foreach (var r in s.EnumerateRunes())
        {
            switch (r.Value)
            {
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\v': sb.Append("\\v"); break;
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                default:
                    if (r.Value < 0x20 || r.Value == 0x7f)
                    {
                        sb.Append("\\x").Append(r.Value.ToString("x2", Inv));
                    }
                    else if (Rune.GetUnicodeCategory(r) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
                    {
                        sb.Append(r.Value > 0xFFFF ? "\\U" + r.Value.ToString("x8", Inv) : "\\u" + r.Value.ToString("x4", Inv));
                    }
                    else
                    {
                        sb.Append(r.ToString());
                    }
                    break;
            }
        }
        sb.Append('"');
        return sb.ToString();
    }
}
