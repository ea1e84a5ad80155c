using System.Globalization;

namespace Injector.Templating;

/// <summary>
/// Argument conversions for functions: Go's parameter typing (a string parameter rejects nil with
/// "invalid value; expected string") and sprig's lenient casts (cast.ToInt64, strval).
/// </summary>
internal static class Conv
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Count(IReadOnlyList<object?> a, int want)
    {
        if (a.Count != want)
        {
            throw new InvalidOperationException($"wrong number of args: want {want} got {a.Count}");
        }
    }

    public static void AtLeast(IReadOnlyList<object?> a, int want)
    {
        if (a.Count < want)
        {
            throw new InvalidOperationException($"wrong number of args: want at least {want} got {a.Count}");
        }
    }

    /// <summary>A Go string parameter.</summary>
    public static string Str(IReadOnlyList<object?> a, int i) => a[i] switch
    {
        string s => s,
        null => throw new InvalidOperationException("invalid value; expected string"),
        var v => throw new InvalidOperationException($"wrong type for value; expected string; got {Values.GoTypeName(v)}"),
    };

    /// <summary>A Go int parameter (an integral float is accepted because JSON numbers may be float64).</summary>
    public static int Int(IReadOnlyList<object?> a, int i) => a[i] switch
    {
        long l => checked((int)l),
        double d when d == Math.Floor(d) => checked((int)d),
        null => throw new InvalidOperationException("invalid value; expected int"),
        var v => throw new InvalidOperationException($"wrong type for value; expected int; got {Values.GoTypeName(v)}"),
    };

    public static bool Bool(IReadOnlyList<object?> a, int i) => a[i] switch
    {
        bool b => b,
        null => throw new InvalidOperationException("invalid value; expected bool"),
        var v => throw new InvalidOperationException($"wrong type for value; expected bool; got {Values.GoTypeName(v)}"),
    };

    /// <summary>sprig strval: strings as is, everything else as fmt's %v.</summary>
    public static string StrVal(object? v) => v switch
    {
        string s => s,
        null => "<nil>",
        _ => GoFormat.FormatValue(v),
    };

    /// <summary>cast.ToInt64 as sprig uses it: unparsable values become 0.</summary>
    public static long ToInt64(object? v)
    {
        switch (v)
        {
            case long l:
                return l;
            case double d:
                return double.IsFinite(d) ? (long)d : 0;
            case bool b:
                return b ? 1 : 0;
            case string s:
                s = TrimZeroDecimal(s);
                if (long.TryParse(s, NumberStyles.AllowLeadingSign, Inv, out var r))
                {
                    return r;
                }
                var neg = s.StartsWith('-');
                var body = s.TrimStart('+', '-');
                try
                {
                    if (body.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
                    {
                        r = Convert.ToInt64(body[2..], 16);
                    }
                    else if (body.StartsWith("0b", StringComparison.OrdinalIgnoreCase))
                    {
                        r = Convert.ToInt64(body[2..], 2);
                    }
                    else if (body.StartsWith("0o", StringComparison.OrdinalIgnoreCase))
                    {
                        r = Convert.ToInt64(body[2..], 8);
                    }
                    else if (body.Length > 1 && body[0] == '0')
                    {
                        r = Convert.ToInt64(body, 8);
                    }
                    else
                    {
                        return 0;
                    }
                }
                catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
                {
                    return 0;
                }
                return neg ? -r : r;
            default:
                return 0;
        }
    }

    /// <summary>cast's trimZeroDecimal: "10.000" parses as an integer.</summary>
    private static string TrimZeroDecimal(string s)
    {
        var dot = s.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return s;
        }
        for (var i = dot + 1; i < s.Length; i++)
        {
            if (s[i] != '0')
            {
                return s;
            }
        }
        return s[..dot];
    }

    public static double ToFloat64(object? v) => v switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        string s => double.TryParse(s, NumberStyles.Float, Inv, out var d) ? d : 0,
        _ => 0,
    };

    /// <summary>A map argument, required (Go map parameter: nil is accepted as an empty map).</summary>
    public static object MapArg(IReadOnlyList<object?> a, int i) => a[i] switch
    {
        null => new Dictionary<string, object?>(StringComparer.Ordinal),
        var v when Values.IsMap(v) => v!,
        var v => throw new InvalidOperationException($"wrong type for value; expected map[string]interface {{}}; got {Values.GoTypeName(v)}"),
    };

    /// <summary>Copies any supported map into a new mutable dictionary (values normalised).</summary>
    public static Dictionary<string, object?> CopyMap(object? map)
    {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (map is not null && Values.IsMap(map))
        {
            foreach (var kv in Values.SortedEntries(map))
            {
                d[kv.Key] = kv.Value;
            }
        }
        return d;
    }
}
