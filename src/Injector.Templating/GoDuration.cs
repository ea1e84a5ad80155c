using System.Globalization;
using System.Text;

namespace Injector.Templating;

/// <summary>Go's time.Duration: ParseDuration and String, over nanoseconds held in a long.</summary>
internal static class GoDuration
{
    private const long Microsecond = 1000;
    private const long Millisecond = 1000 * Microsecond;
    private const long Second = 1000 * Millisecond;

    public static string Format(long d)
    {
        var neg = d < 0;
        var u = neg ? (ulong)(-(d + 1)) + 1 : (ulong)d;
        var sb = new StringBuilder();
        if (u < Second)
        {
            if (u == 0)
            {
                return "0s";
            }
            int prec;
            string unit;
            if (u < Microsecond)
            {
                prec = 0;
                unit = "ns";
            }
            else if (u < Millisecond)
            {
                prec = 3;
                unit = "µs";
            }
            else
            {
                prec = 6;
                unit = "ms";
            }
            sb.Append(u / Pow10(prec)).Append(Frac(u, prec)).Append(unit);
        }
        else
        {
            var frac = Frac(u, 9);
            var secs = u / Second;
            var h = secs / 3600;
            var m = secs / 60 % 60;
            var s = secs % 60;
            if (h > 0)
            {
                sb.Append(h).Append('h');
            }
            if (h > 0 || m > 0)
            {
                sb.Append(m).Append('m');
            }
            sb.Append(s).Append(frac).Append('s');
        }
        return (neg ? "-" : "") + sb;
    }

    private static ulong Pow10(int n)
    {
        ulong p = 1;
        for (var i = 0; i < n; i++)
        {
            p *= 10;
        }
        return p;
    }

    /// <summary>".123" for the low prec digits of v, trailing zeros (and the dot) omitted.</summary>
    private static string Frac(ulong v, int prec)
    {
        if (prec == 0)
        {
            return "";
        }
        var f = (v % Pow10(prec)).ToString(CultureInfo.InvariantCulture).PadLeft(prec, '0').TrimEnd('0');
        return f.Length == 0 ? "" : "." + f;
    }

    /// <summary>time.ParseDuration: "1h2m3.5s", "300ms", "-1.5h".</summary>
    public static long Parse(string s)
    {
        var orig = s;
        var neg = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            neg = s[0] == '-';
            s = s[1..];
        }
        if (s == "0")
        {
            return 0;
        }
        if (s.Length == 0)
        {
            throw new InvalidOperationException($"time: invalid duration {GoFormat.Quote(orig)}");
        }
        decimal total = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }
            if (i == start || !decimal.TryParse(s[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var num))
            {
                throw new InvalidOperationException($"time: invalid duration {GoFormat.Quote(orig)}");
            }
            var ustart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }
            var unit = s[ustart..i];
            decimal scale = unit switch
            {
                "ns" => 1,
                "us" or "µs" or "μs" => Microsecond,
                "ms" => Millisecond,
                "s" => Second,
                "m" => 60 * Second,
                "h" => 3600 * Second,
                "" => throw new InvalidOperationException($"time: missing unit in duration {GoFormat.Quote(orig)}"),
                _ => throw new InvalidOperationException($"time: unknown unit {GoFormat.Quote(unit)} in duration {GoFormat.Quote(orig)}"),
            };
            total += num * scale;
        }
        var result = (long)decimal.Truncate(total);
        return neg ? -result : result;
    }
}
