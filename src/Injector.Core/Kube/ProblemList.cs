namespace Injector.Core.Kube;

/// <summary>How the pod checks word a list of problems: the first few named, the rest counted.</summary>
internal static class ProblemList
{
    /// <summary>Problems named in one message at most.</summary>
    public const int MaxReported = 5;

    /// <summary>The problems joined; null when <paramref name="total"/> is 0.</summary>
    /// <param name="reported">The first problems (at most <see cref="MaxReported"/> are shown).</param>
    /// <param name="total">How many there are in all.</param>
    public static string? Join(IReadOnlyList<string> reported, int total)
    {
        if (total == 0)
        {
            return null;
        }

        var text = string.Join("; ", reported.Take(MaxReported));
        var shown = Math.Min(reported.Count, MaxReported);
        return total > shown ? $"{text}; and {total - shown} more" : text;
    }
}
