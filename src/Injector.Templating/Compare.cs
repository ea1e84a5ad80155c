namespace Injector.Templating;

/// <summary>
/// eq/ne/lt/le/gt/ge as Go's text/template funcs.go, with one leniency: any two numbers compare
/// numerically, because JSON numbers may arrive as long or double where Go would have float64.
/// </summary>
internal static class Compare
{
    public static bool Equal(object? a, object? b)
    {
        a = Values.ForFunction(a);
        b = Values.ForFunction(b);
        switch (a)
        {
            case null:
                if (b is null)
                {
                    return true;
                }
                CheckComparable(b);
                return false;
            case bool ba when b is bool bb:
                return ba == bb;
            case string sa when b is string sb:
                return string.Equals(sa, sb, StringComparison.Ordinal);
            case long la when b is long lb:
                return la == lb;
            case long or double when b is long or double:
                return ToDouble(a) == ToDouble(b);
        }
        if (b is null)
        {
            CheckComparable(a);
            return false;
        }
        CheckComparable(a);
        CheckComparable(b);
        if (IsBasic(a) && IsBasic(b))
        {
            throw new InvalidOperationException("incompatible types for comparison");
        }
        return ReferenceEquals(a, b);
    }

    public static bool Less(object? a, object? b)
    {
        a = Values.ForFunction(a);
        b = Values.ForFunction(b);
        if (!IsBasic(a) || !IsBasic(b))
        {
            throw new InvalidOperationException("invalid type for comparison");
        }
        return a switch
        {
            long la when b is long lb => la < lb,
            long or double when b is long or double => ToDouble(a) < ToDouble(b),
            string sa when b is string sb => string.CompareOrdinal(sa, sb) < 0,
            bool when b is bool => throw new InvalidOperationException("invalid type for comparison"),
            _ => throw new InvalidOperationException("incompatible types for comparison"),
        };
    }

    private static bool IsBasic(object? v) => v is bool or string or long or double;

    private static void CheckComparable(object v)
    {
        if (Values.IsMap(v) || Values.IsList(v))
        {
            throw new InvalidOperationException($"non-comparable type {GoFormat.FormatValue(v)}: {Values.GoTypeName(v)}");
        }
    }

    private static double ToDouble(object v) => v is long l ? l : (double)v;
}
