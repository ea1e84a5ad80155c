using System.Globalization;
using System.Text;

namespace Injector.Documents;

/// <summary>Go's <c>strconv.FormatFloat(f, 'g', -1, 64)</c>, as go-yaml uses for float64 values.</summary>
internal static class GoFloatFormat
{
    public static string Format(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }

        var sb = new StringBuilder();
        if (double.IsNegative(value))
        {
            sb.Append('-');
        }

        if (value == 0)
        {
            return sb.Append('0').ToString();
        }

        // "R" gives the shortest round-tripping digits, like Go's shortest mode; only the layout differs.
        var (digits, dp) = ShortestDigits(Math.Abs(value));
        var exp = dp - 1;
        // Go's shortest 'g' uses %e when exp < -4 || exp >= 6 (eprec is forced to 6 in shortest mode).
        const int eprec = 6;
        if (exp < -4 || exp >= eprec)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            sb.Append('e').Append(exp < 0 ? '-' : '+');
            var e = Math.Abs(exp);
            if (e < 10)
            {
                sb.Append('0');
            }

            return sb.Append(e.ToString(CultureInfo.InvariantCulture)).ToString();
        }

        if (dp <= 0)
        {
            return sb.Append("0.").Append('0', -dp).Append(digits).ToString();
        }

        if (dp >= digits.Length)
        {
            return sb.Append(digits).Append('0', dp - digits.Length).ToString();
        }

        return sb.Append(digits, 0, dp).Append('.').Append(digits, dp, digits.Length - dp).ToString();
    }

    /// <summary>Decimal digits without leading/trailing zeros and the decimal point position (value = 0.digits × 10^dp).</summary>
    private static (string Digits, int Dp) ShortestDigits(double value)
    {
        var r = value.ToString("R", CultureInfo.InvariantCulture);
        var exponent = 0;
        var e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }

        var dot = r.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? r[..dot] : r;
        var fracPart = dot >= 0 ? r[(dot + 1)..] : string.Empty;
        var all = intPart + fracPart;
        var dp = intPart.Length + exponent;
        var lead = 0;
        while (lead < all.Length - 1 && all[lead] == '0')
        {
            lead++;
        }

        all = all[lead..];
        dp -= lead;
        all = all.TrimEnd('0');
        return (all.Length == 0 ? "0" : all, dp);
    }
}
