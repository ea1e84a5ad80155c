using System.Globalization;

namespace Injector.Templating;

/// <summary>
/// Enough of Masterminds/semver v3 for sprig's semverCompare: constraints joined by "," (and)
/// and "||" (or), operators = != &gt; &lt; &gt;= &lt;= ~ ^, partial versions and x wildcards.
/// As in Masterminds, a prerelease version only satisfies constraints that carry a prerelease.
/// </summary>
internal static class Semver
{
    private readonly record struct Version(long Major, long Minor, long Patch, string Pre, int Parts, bool Wild)
    {
        public int CompareTo(Version o)
        {
            var c = Major.CompareTo(o.Major);
            if (c == 0)
            {
                c = Minor.CompareTo(o.Minor);
            }
            if (c == 0)
            {
                c = Patch.CompareTo(o.Patch);
            }
            if (c != 0)
            {
                return c;
            }
            if (Pre.Length == 0 || o.Pre.Length == 0)
            {
                return Pre.Length == 0 ? (o.Pre.Length == 0 ? 0 : 1) : -1;
            }
            return ComparePre(Pre, o.Pre);
        }
    }

    private static int ComparePre(string a, string b)
    {
        var pa = a.Split('.');
        var pb = b.Split('.');
        for (var i = 0; i < Math.Min(pa.Length, pb.Length); i++)
        {
            var na = long.TryParse(pa[i], NumberStyles.None, CultureInfo.InvariantCulture, out var ia);
            var nb = long.TryParse(pb[i], NumberStyles.None, CultureInfo.InvariantCulture, out var ib);
            var c = na && nb ? ia.CompareTo(ib) : na ? -1 : nb ? 1 : string.CompareOrdinal(pa[i], pb[i]);
            if (c != 0)
            {
                return c;
            }
        }
        return pa.Length.CompareTo(pb.Length);
    }

    private static Version ParseVersion(string s, bool allowWild)
    {
        var orig = s;
        s = s.Trim();
        if (s.StartsWith('v') || s.StartsWith('V'))
        {
            s = s[1..];
        }
        var plus = s.IndexOf('+', StringComparison.Ordinal);
        if (plus >= 0)
        {
            s = s[..plus];
        }
        var pre = "";
        var dash = s.IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0)
        {
            pre = s[(dash + 1)..];
            s = s[..dash];
        }
        var parts = s.Split('.');
        if (parts.Length is 0 or > 3 || s.Length == 0)
        {
            throw new InvalidOperationException($"invalid semantic version: {orig}");
        }
        var nums = new long[3];
        var count = 0;
        var wild = false;
        foreach (var p in parts)
        {
            if (allowWild && p is "x" or "X" or "*")
            {
                wild = true;
                break;
            }
            if (!long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out nums[count]))
            {
                throw new InvalidOperationException($"invalid semantic version: {orig}");
            }
            count++;
        }
        return new Version(nums[0], nums[1], nums[2], pre, count, wild || count < parts.Length);
    }

    public static bool Satisfies(string constraint, string version)
    {
        var v = ParseVersion(version, false);
        foreach (var alternative in constraint.Split("||"))
        {
            var all = true;
            foreach (var raw in alternative.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                foreach (var single in SplitSpaces(raw))
                {
                    if (!Check(single, v))
                    {
                        all = false;
                        break;
                    }
                }
                if (!all)
                {
                    break;
                }
            }
            if (all)
            {
                return true;
            }
        }
        return false;
    }

    private static IEnumerable<string> SplitSpaces(string raw)
    {
        // "> 1.2" is one constraint; ">1.2 <2" are two.
        var tokens = raw.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < tokens.Length; i++)
        {
            if (tokens[i].All(static c => c is '<' or '>' or '=' or '!' or '~' or '^') && i + 1 < tokens.Length)
            {
                yield return tokens[i] + tokens[++i];
            }
            else
            {
                yield return tokens[i];
            }
        }
    }

    private static bool Check(string c, Version v)
    {
        var op = new string([.. c.TakeWhile(static ch => ch is '<' or '>' or '=' or '!' or '~' or '^')]);
        var cv = ParseVersion(c[op.Length..], true);
        if (v.Pre.Length > 0 && cv.Pre.Length == 0)
        {
            return false;
        }
        var lower = cv;
        var partial = cv.Wild || cv.Parts < 3;
        // Upper bound (exclusive) of a partial version: 1.2 → 1.3.0, 1 → 2.0.0.
        var upper = cv.Parts switch
        {
            0 => new Version(long.MaxValue, 0, 0, "", 3, false),
            1 => new Version(cv.Major + 1, 0, 0, "", 3, false),
            2 => new Version(cv.Major, cv.Minor + 1, 0, "", 3, false),
            _ => new Version(cv.Major, cv.Minor, cv.Patch + 1, "", 3, false),
        };
        switch (op)
        {
            case "" or "=" or "==":
                return partial ? v.CompareTo(lower) >= 0 && v.CompareTo(upper) < 0 : v.CompareTo(cv) == 0;
            case "!=":
                return partial ? v.CompareTo(lower) < 0 || v.CompareTo(upper) >= 0 : v.CompareTo(cv) != 0;
            case ">":
                return partial ? v.CompareTo(upper) >= 0 : v.CompareTo(cv) > 0;
            case ">=" or "=>":
                return v.CompareTo(lower) >= 0;
            case "<":
                return v.CompareTo(lower) < 0;
            case "<=" or "=<":
                return partial ? v.CompareTo(upper) < 0 : v.CompareTo(cv) <= 0;
            case "~" or "~>":
                {
                    var up = cv.Parts <= 1 ? new Version(cv.Major + 1, 0, 0, "", 3, false) : new Version(cv.Major, cv.Minor + 1, 0, "", 3, false);
                    return v.CompareTo(lower) >= 0 && v.CompareTo(up) < 0;
                }
            case "^":
                {
                    var up = cv.Major > 0 || cv.Parts == 1 ? new Version(cv.Major + 1, 0, 0, "", 3, false)
                        : cv.Minor > 0 || cv.Parts == 2 ? new Version(0, cv.Minor + 1, 0, "", 3, false)
                        : new Version(0, 0, cv.Patch + 1, "", 3, false);
                    return v.CompareTo(lower) >= 0 && v.CompareTo(up) < 0;
                }
            default:
                throw new InvalidOperationException($"improper constraint: {c}");
        }
    }
}
