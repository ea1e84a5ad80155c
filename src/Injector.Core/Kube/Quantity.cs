using System.Collections.Concurrent;
using System.Globalization;

namespace Injector.Core.Kube;

/// <summary>
/// Kubernetes resource quantities: parse and write in canonical form, as the API server and Go's typed models do
/// (<c>2000m</c> → <c>2</c>, <c>1024Mi</c> → <c>1Gi</c>, <c>0.5</c> → <c>500m</c>).
/// </summary>
public static class Quantity
{
    private static readonly (string Suffix, int Power)[] Binary = [("Ki", 10), ("Mi", 20), ("Gi", 30), ("Ti", 40), ("Pi", 50), ("Ei", 60)];
    private static readonly (string Suffix, int Exponent)[] Decimal =
        [("n", -9), ("u", -6), ("m", -3), ("", 0), ("k", 3), ("M", 6), ("G", 9), ("T", 12), ("P", 15), ("E", 18)];

    private enum Format
    {
        BinarySI,
        DecimalSI,
        DecimalExponent,
    }

    public static bool TryParse(string text, out decimal value)
    {
        value = 0;
        return TryParse(text, out value, out _);
    }

    /// <summary>
    /// The canonical string, or null when the text is not a quantity, or one too large to write (past 2^63 - 1
    /// base units, e.g. <c>8Ei</c>): its arithmetic would overflow, and no resource is that large.
    /// </summary>
    public static string? Canonicalize(string text)
    {
        // The same few quantities come in every pod and every template (100m, 128Mi, 2Gi), and the decimal arithmetic
        // is a visible share of an injection: short texts are remembered, bounded in count and length.
        var remembered = text.Length <= MaxRememberedLength;
        if (remembered && Remembered.TryGetValue(text, out var known))
        {
            return known;
        }

        string? canonical;
        try
        {
            canonical = CanonicalizeUnchecked(text);
        }
        catch (OverflowException)
        {
            canonical = null;
        }

        if (remembered)
        {
            // An approximate count: ConcurrentDictionary.Count takes every lock, on each miss.
            if (Interlocked.Increment(ref _added) > MaxRemembered)
            {
                Remembered.Clear();
                Interlocked.Exchange(ref _added, 0);
            }

            Remembered[text] = canonical;
        }

        return canonical;
    }

    private const int MaxRemembered = 1024;
    private const int MaxRememberedLength = 32;
    private static readonly ConcurrentDictionary<string, string?> Remembered = new(StringComparer.Ordinal);
    private static int _added;

    private static string? CanonicalizeUnchecked(string text)
    {
        if (!TryParse(text, out var value, out var format))
        {
            return null;
        }

        if (value == 0)
        {
            return "0";
        }

        if (format == Format.BinarySI && (Math.Abs(value) < 1024 || value != decimal.Truncate(value)))
        {
            format = Format.DecimalSI;
        }

        if (format == Format.BinarySI)
        {
            var integer = (long)value;
            var power = 0;
            while (power < 60 && integer % 1024 == 0)
            {
                integer /= 1024;
                power += 10;
            }

            var suffix = power == 0 ? "" : Binary.First(b => b.Power == power).Suffix;
            return integer.ToString(CultureInfo.InvariantCulture) + suffix;
        }

        // The largest exponent (a multiple of 3) that leaves an integer mantissa; below nano, round up.
        var exponent = 18;
        while (exponent > -9 && !IsInteger(value, exponent))
        {
            exponent -= 3;
        }

        var mantissa = Scale(value, exponent);
        if (mantissa != decimal.Truncate(mantissa))
        {
            mantissa = mantissa > 0 ? decimal.Ceiling(mantissa) : decimal.Floor(mantissa);
        }

        var digits = mantissa.ToString("0", CultureInfo.InvariantCulture);
        return format == Format.DecimalExponent
            ? exponent == 0 ? digits : $"{digits}e{exponent}"
            : digits + Decimal.First(d => d.Exponent == exponent).Suffix;
    }

    private static bool IsInteger(decimal value, int exponent)
    {
        var scaled = Scale(value, exponent);
        return scaled == decimal.Truncate(scaled);
    }

    private static decimal Scale(decimal value, int exponent)
    {
        try
        {
            return exponent >= 0 ? value / Pow10(exponent) : value * Pow10(-exponent);
        }
        catch (OverflowException)
        {
            return 0.5m;
        }
    }

    private static decimal Pow10(int n)
    {
        var r = 1m;
        for (var i = 0; i < n; i++)
        {
            r *= 10;
        }

        return r;
    }

    private static bool TryParse(string text, out decimal value, out Format format)
    {
        try
        {
            return TryParseUnchecked(text, out value, out format);
        }
        catch (OverflowException)
        {
            value = 0;
            format = Format.DecimalSI;
            return false;
        }
    }

    private static bool TryParseUnchecked(string text, out decimal value, out Format format)
    {
        value = 0;
        format = Format.DecimalSI;
        text = text.Trim();
        var i = 0;
        if (i < text.Length && text[i] is '+' or '-')
        {
            i++;
        }

        var numberStart = 0;
        var sawDigit = false;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
        {
            sawDigit |= char.IsAsciiDigit(text[i]);
            i++;
        }

        if (!sawDigit || !decimal.TryParse(text[numberStart..i], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var suffix = text[i..];
        if (Binary.FirstOrDefault(b => b.Suffix == suffix) is { Suffix: not null } bin && suffix.Length > 0)
        {
            format = Format.BinarySI;
            value = number * (decimal)Math.Pow(2, bin.Power);
            return true;
        }

        if (Decimal.FirstOrDefault(d => d.Suffix == suffix) is { Suffix: not null } dec)
        {
            value = dec.Exponent >= 0 ? number * Pow10(dec.Exponent) : number / Pow10(-dec.Exponent);
            return true;
        }

        if (suffix.Length > 1 && suffix[0] is 'e' or 'E' && int.TryParse(suffix[1..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exp) && Math.Abs(exp) <= 18)
        {
            format = Format.DecimalExponent;
            value = exp >= 0 ? number * Pow10(exp) : number / Pow10(-exp);
            return true;
        }

        return false;
    }
}
