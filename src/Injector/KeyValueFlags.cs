namespace Injector;

/// <summary>Repeatable <c>KEY=VALUE</c> flags (<c>--namespace-label</c>, <c>--namespace-annotation</c>) read into a map.</summary>
internal static class KeyValueFlags
{
    /// <summary>The pairs, a later key winning; null with <paramref name="error"/> naming the flag and the bad pair.</summary>
    public static Dictionary<string, string>? Parse(string flag, IEnumerable<string> pairs, out string error)
    {
        error = "";
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                error = $"{flag} {pair}: want KEY=VALUE";
                return null;
            }

            map[pair[..eq]] = pair[(eq + 1)..];
        }

        return map;
    }
}
