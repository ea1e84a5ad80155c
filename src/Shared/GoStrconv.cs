using System.Globalization;
using System.Text;

namespace Injector.Shared;

/// <summary>
/// Go's <c>strconv.FormatFloat</c>, shared as a linked source file by the template engine (printf, %v) and the YAML
/// writer (go-yaml writes float64 with <c>'g', -1</c>); neither project depends on the other.
/// </summary>
internal static class GoStrconv
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// strconv.FormatFloat of a non-negative value for verbs e, E, f, F, g, G; prec -1 means shortest
    /// (the %v form: 15020 → "15020", 1e6 → "1e+06", 1e-5 → "1e-05").
    /// </summary>
    public static string FormatFloat(double d, char verb, int prec)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }
        if (double.IsInfinity(d))
        {
            return d > 0 ? "+Inf" : "-Inf";
        }
        var neg = d < 0 || (d == 0 && double.IsNegative(d));
        var prefix = neg ? "-" : "";
        d = Math.Abs(d);
        var upper = verb is 'E' or 'G';
        switch (verb)
        {
            case 'f':
            case 'F':
                if (prec < 0)
                {
                    var (fd, fdp) = ShortestDigits(d);
                    return prefix + FixedFromDigits(fd, fdp, Math.Max(fd.Length - fdp, 0));
                }
                return prefix + d.ToString("F" + prec.ToString(Inv), Inv);
            case 'e':
            case 'E':
                {
                    var (digits, dp) = prec < 0 ? ShortestDigits(d) : RoundedDigits(d, prec + 1);
                    return prefix + ExpFromDigits(digits, dp, prec < 0 ? digits.Length - 1 : prec, upper);
                }
            default:
                {
                    var shortest = prec < 0;
                    if (prec == 0)
                    {
                        prec = 1;
                    }
                    var (digits, dp) = shortest ? ShortestDigits(d) : RoundedDigits(d, prec);
                    digits = digits.TrimEnd('0');
                    if (digits.Length == 0)
                    {
                        digits = "0";
                        dp = 1;
                    }
                    var eprec = shortest ? 6 : prec;
                    if (!shortest && eprec > digits.Length && digits.Length >= dp)
                    {
                        eprec = digits.Length;
                    }
                    var exp = dp - 1;
                    if (d != 0 && (exp < -4 || exp >= eprec))
                    {
                        return prefix + ExpFromDigits(digits, dp, digits.Length - 1, upper);
                    }
                    return prefix + FixedFromDigits(digits, d == 0 ? 1 : dp, Math.Max(digits.Length - dp, 0));
                }
        }
    }

    /// <summary>Shortest round-trip decimal digits (no leading/trailing zeros) and decimal point position.</summary>
    private static (string Digits, int Dp) ShortestDigits(double d)
    {
        if (d == 0)
        {
            return ("0", 1);
        }
        return ParseShortest(d.ToString("R", Inv));
    }

    private static (string Digits, int Dp) RoundedDigits(double d, int sig)
    {
        if (d == 0)
        {
            return (new string('0', sig), 1);
        }
        var s = d.ToString("E" + (sig - 1).ToString(Inv), Inv);
        var ePos = s.IndexOf('E', StringComparison.Ordinal);
        var mant = s[..ePos].Replace(".", "", StringComparison.Ordinal);
        var exp = int.Parse(s[(ePos + 1)..], NumberStyles.AllowLeadingSign, Inv);
        return (mant, exp + 1);
    }

    private static (string Digits, int Dp) ParseShortest(string r)
    {
        // r is .NET's shortest round-trip form: "123.45", "1E+21" or "1.5E-05".
        var ePos = r.IndexOf('E', StringComparison.Ordinal);
        var exp = 0;
        var mant = r;
        if (ePos >= 0)
        {
            exp = int.Parse(r[(ePos + 1)..], NumberStyles.AllowLeadingSign, Inv);
            mant = r[..ePos];
        }
        var dot = mant.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? mant[..dot] : mant;
        var frac = dot >= 0 ? mant[(dot + 1)..] : "";
        var all = intPart + frac;
        var dp = intPart.Length + exp;
        var lead = 0;
        while (lead < all.Length - 1 && all[lead] == '0')
        {
            lead++;
        }
        all = all[lead..];
        dp -= lead;
        all = all.TrimEnd('0');
        if (all.Length == 0)
        {
            return ("0", 1);
        }
        return (all, dp);
    }

    private static string ExpFromDigits(string digits, int dp, int fracDigits, bool upper)
    {
        var sb = new StringBuilder();
        sb.Append(digits[0]);
        if (fracDigits > 0)
        {
            sb.Append('.');
            for (var i = 1; i <= fracDigits; i++)
            {
                sb.Append(i < digits.Length ? digits[i] : '0');
            }
        }
        var exp = digits == "0" || digits.Trim('0').Length == 0 ? 0 : dp - 1;
        sb.Append(upper ? 'E' : 'e').Append(exp < 0 ? '-' : '+');
        var ae = Math.Abs(exp);
        if (ae < 10)
        {
            sb.Append('0');
        }
        sb.Append(ae.ToString(Inv));
        return sb.ToString();
    }

    private static string FixedFromDigits(string digits, int dp, int fracDigits)
    {
        var sb = new StringBuilder();
        if (dp <= 0)
        {
            sb.Append('0');
        }
        else
        {
            for (var i = 0; i < dp; i++)
            {
                sb.Append(i < digits.Length ? digits[i] : '0');
            }
        }
        if (fracDigits > 0)
        {
            sb.Append('.');
            for (var i = 0; i < fracDigits; i++)
            {
                var idx = dp + i;
                sb.Append(idx >= 0 && idx < digits.Length ? digits[idx] : '0');
            }
        }
        return sb.ToString();
    }
}
