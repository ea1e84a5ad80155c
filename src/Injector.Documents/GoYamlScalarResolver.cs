using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Injector.Documents;

/// <summary>What a plain YAML scalar means under go-yaml v2's <c>resolve()</c> (the resolver behind sigs.k8s.io/yaml).</summary>
internal enum GoYamlScalarKind
{
    String,
    Null,
    Bool,
    Int,
    Float,

    // Timestamps decode to strings in go-yaml v2 (interface{} targets), but the encoder still quotes them.
    Timestamp,
}

internal static partial class GoYamlScalarResolver
{
    private static readonly Dictionary<string, (GoYamlScalarKind Kind, object? Value)> Words = BuildWords();

    /// <summary>Resolves a plain (unquoted, untagged) scalar the way go-yaml v2 does.</summary>
    public static GoYamlScalarKind Resolve(string text, out object? value)
    {
        value = text;
        if (Words.TryGetValue(text, out var word))
        {
            value = word.Value;
            return word.Kind;
        }

        var first = text[0];
        if (first == '.')
        {
            // Not in the table, so maybe a normal float such as ".5".
            if (TryParseGoFloat(text, out var f))
            {
                value = f;
                return GoYamlScalarKind.Float;
            }

            return GoYamlScalarKind.String;
        }

        if (first is not ('+' or '-' or (>= '0' and <= '9')))
        {
            return GoYamlScalarKind.String;
        }

        if (IsTimestamp(text))
        {
            return GoYamlScalarKind.Timestamp;
        }

        var plain = text.Replace("_", string.Empty, StringComparison.Ordinal);
        if (TryParseGoInt(plain, out var integer, out var tooBig))
        {
            value = integer;
            return GoYamlScalarKind.Int;
        }

        if (tooBig is not null)
        {
            // go-yaml yields uint64 here; JSON trees only hold long or double, so keep the magnitude as double.
            value = tooBig.Value;
            return GoYamlScalarKind.Int;
        }

        if (YamlStyleFloat().IsMatch(plain) && TryParseGoFloat(plain, out var number))
        {
            value = number;
            return GoYamlScalarKind.Float;
        }

        if (plain.StartsWith("0b", StringComparison.Ordinal) || plain.StartsWith("-0b", StringComparison.Ordinal))
        {
            var negative = plain[0] == '-';
            var digits = plain[(negative ? 3 : 2)..];
            if (TryParseDigits(digits, 2, out var bits, out _))
            {
                value = negative ? -bits : bits;
                return GoYamlScalarKind.Int;
            }
        }

        return GoYamlScalarKind.String;
    }

    /// <summary>Turns a plain scalar into the JSON value go-yaml v2 + sigs.k8s.io/yaml would produce.</summary>
    public static JsonNode? ToNode(string text)
    {
        var kind = Resolve(text, out var value);
        return kind switch
        {
            GoYamlScalarKind.Null => null,
            GoYamlScalarKind.Bool => JsonValue.Create((bool)value!),
            GoYamlScalarKind.Int when value is long l => JsonValue.Create(l),
            GoYamlScalarKind.Int => JsonValue.Create((double)value!),
            GoYamlScalarKind.Float => JsonValue.Create((double)value!),
            _ => JsonValue.Create(text),
        };
    }

    /// <summary>
    /// True when the encoder may write <paramref name="text"/> plain: it must resolve back to a string and not look
    /// like a YAML 1.1 base-60 float (go-yaml v2's <c>isBase60Float</c>).
    /// </summary>
    public static bool CanBePlainString(string text) =>
        text.Length > 0 && Resolve(text, out _) == GoYamlScalarKind.String && !Base60Float().IsMatch(text);

    private static bool TryParseGoInt(string s, out long value, out double? tooBig)
    {
        // strconv.ParseInt(s, 0, 64): optional sign, then 0x / 0o / 0b / leading-0 octal / decimal.
        value = 0;
        tooBig = null;
        var i = 0;
        var negative = false;
        if (s.Length > 0 && (s[0] == '+' || s[0] == '-'))
        {
            negative = s[0] == '-';
            i = 1;
        }

        var body = s[i..];
        int radix = 10;
        if (body.Length >= 2 && body[0] == '0' && (body[1] is 'x' or 'X'))
        {
            radix = 16;
            body = body[2..];
        }
        else if (body.Length >= 2 && body[0] == '0' && (body[1] is 'o' or 'O'))
        {
            radix = 8;
            body = body[2..];
        }
        else if (body.Length >= 2 && body[0] == '0' && (body[1] is 'b' or 'B'))
        {
            radix = 2;
            body = body[2..];
        }
        else if (body.Length >= 2 && body[0] == '0')
        {
            radix = 8;
            body = body[1..];
        }

        if (!TryParseDigits(body, radix, out var magnitude, out var overflow))
        {
            if (!overflow)
            {
                return false;
            }

            // ParseUint would accept values up to 2^64-1 when unsigned; beyond long we keep a double.
            if (!negative && TryParseBig(body, radix, out var big))
            {
                tooBig = big;
            }

            return false;
        }

        if (negative)
        {
            value = -magnitude;
            return true;
        }

        value = magnitude;
        return true;
    }

    private static bool TryParseBig(string digits, int radix, out double value)
    {
        // Only uint64 range is accepted by go-yaml (ParseUint); anything larger stays a string.
        ulong acc = 0;
        value = 0;
        foreach (var c in digits)
        {
            var d = DigitValue(c);
            if (d < 0 || d >= radix)
            {
                return false;
            }

            try
            {
                acc = checked((acc * (ulong)radix) + (ulong)d);
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        value = acc;
        return true;
    }

    private static bool TryParseDigits(string digits, int radix, out long value, out bool overflow)
    {
        value = 0;
        overflow = false;
        if (digits.Length == 0)
        {
            return false;
        }

        // Accumulate negatively so that long.MinValue magnitudes are not special; callers negate at most once.
        ulong acc = 0;
        foreach (var c in digits)
        {
            var d = DigitValue(c);
            if (d < 0 || d >= radix)
            {
                return false;
            }

            if (acc > (ulong.MaxValue - (ulong)d) / (ulong)radix)
            {
                overflow = true;
                return false;
            }

            acc = (acc * (ulong)radix) + (ulong)d;
        }

        if (acc > long.MaxValue)
        {
            overflow = true;
            return false;
        }

        value = (long)acc;
        return true;
    }

    private static int DigitValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'z' => c - 'a' + 10,
        >= 'A' and <= 'Z' => c - 'A' + 10,
        _ => -1,
    };

    private static bool TryParseGoFloat(string s, out double value)
    {
        // strconv.ParseFloat also accepts "inf"/"nan" spellings and hex floats; plain YAML rarely relies on them.
        value = 0;
        if (s.Length == 0 || s.Contains('_', StringComparison.Ordinal))
        {
            return false;
        }

        var lower = s.ToLowerInvariant().TrimStart('+', '-');
        if (lower is "inf" or "infinity")
        {
            value = s[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }

        if (lower == "nan")
        {
            value = double.NaN;
            return true;
        }

        if (!DecimalFloat().IsMatch(s))
        {
            return false;
        }

        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static bool IsTimestamp(string s)
    {
        // go-yaml v2 parseTimestamp: quick "YYYY-" check, then a few time.Parse layouts.
        var m = TimestampPattern().Match(s);
        if (!m.Success)
        {
            return false;
        }

        var year = int.Parse(m.Groups["y"].Value, CultureInfo.InvariantCulture);
        var month = int.Parse(m.Groups["mo"].Value, CultureInfo.InvariantCulture);
        var day = int.Parse(m.Groups["d"].Value, CultureInfo.InvariantCulture);
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(year, 1), month))
        {
            return false;
        }

        if (!m.Groups["h"].Success)
        {
            return true;
        }

        var hour = int.Parse(m.Groups["h"].Value, CultureInfo.InvariantCulture);
        var minute = int.Parse(m.Groups["mi"].Value, CultureInfo.InvariantCulture);
        var second = int.Parse(m.Groups["s"].Value, CultureInfo.InvariantCulture);
        return hour < 24 && minute < 60 && second < 60;
    }

    private static Dictionary<string, (GoYamlScalarKind, object?)> BuildWords()
    {
        var words = new Dictionary<string, (GoYamlScalarKind, object?)>(StringComparer.Ordinal);
        foreach (var w in new[] { "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE" })
        {
            words[w] = (GoYamlScalarKind.Bool, true);
        }

        foreach (var w in new[] { "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE" })
        {
            words[w] = (GoYamlScalarKind.Bool, false);
        }

        foreach (var w in new[] { string.Empty, "~", "null", "Null", "NULL" })
        {
            words[w] = (GoYamlScalarKind.Null, null);
        }

        foreach (var w in new[] { ".nan", ".NaN", ".NAN" })
        {
            words[w] = (GoYamlScalarKind.Float, double.NaN);
        }

        foreach (var w in new[] { ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF" })
        {
            words[w] = (GoYamlScalarKind.Float, double.PositiveInfinity);
        }

        foreach (var w in new[] { "-.inf", "-.Inf", "-.INF" })
        {
            words[w] = (GoYamlScalarKind.Float, double.NegativeInfinity);
        }

        return words;
    }

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex YamlStyleFloat();

    [GeneratedRegex(@"^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")]
    private static partial Regex DecimalFloat();

    [GeneratedRegex(@"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")]
    private static partial Regex Base60Float();

    [GeneratedRegex(@"^(?<y>[0-9]{4})-(?<mo>[0-9]{1,2})-(?<d>[0-9]{1,2})(?:(?:[Tt](?<h>[0-9]{1,2}):(?<mi>[0-9]{1,2}):(?<s>[0-9]{1,2})(?:\.[0-9]+)?(?:Z|[-+][0-9]{2}:[0-9]{2}))|(?: (?<h>[0-9]{1,2}):(?<mi>[0-9]{1,2}):(?<s>[0-9]{1,2})(?:\.[0-9]+)?))?$")]
    private static partial Regex TimestampPattern();
}
