using System.Text.RegularExpressions;

namespace Injector.Fuzz.Reporting;

/// <summary>An exception type seen in the server's log: how often, its first message and the top of its first stack.</summary>
internal sealed record LoggedException(string Type, int Count, string FirstMessage, IReadOnlyList<string> StackTop);

/// <summary>What the server's log says: warnings and errors by logger, and the exceptions it printed.</summary>
internal sealed record LogSummary(long Lines, IReadOnlyList<KeyValuePair<string, int>> Entries, IReadOnlyList<LoggedException> Exceptions);

/// <summary>Reads the server log once at the end, line by line (it can be large), for the report.</summary>
internal static partial class LogScan
{
    private const int StackLines = 4;

    public static LogSummary Scan(string path)
    {
        var entries = new Dictionary<string, int>(StringComparer.Ordinal);
        var exceptions = new Dictionary<string, (int Count, string Message, List<string> Stack)>(StringComparer.Ordinal);
        long lines = 0;
        List<string>? collecting = null;
        foreach (var line in File.ReadLines(path))
        {
            lines++;
            if (collecting is not null)
            {
                if (line.TrimStart().StartsWith("at ", StringComparison.Ordinal) && collecting.Count < StackLines)
                {
                    collecting.Add(line.Trim());
                    continue;
                }

                if (!line.TrimStart().StartsWith("at ", StringComparison.Ordinal))
                {
                    collecting = null;
                }
            }

            var header = EntryHeader().Match(line);
            if (header.Success && header.Groups[1].Value is "warn" or "fail" or "crit")
            {
                var key = $"{header.Groups[1].Value}: {header.Groups[2].Value}";
                entries[key] = entries.GetValueOrDefault(key) + 1;
                continue;
            }

            var exception = ExceptionLine().Match(line);
            if (exception.Success)
            {
                var type = exception.Groups[1].Value;
                if (exceptions.TryGetValue(type, out var seen))
                {
                    exceptions[type] = (seen.Count + 1, seen.Message, seen.Stack);
                }
                else
                {
                    var message = exception.Groups[2].Value.Trim();
                    var stack = new List<string>();
                    exceptions[type] = (1, message.Length > 200 ? message[..200] + "…" : message, stack);
                    collecting = stack;
                }
            }
        }

        return new LogSummary(
            lines,
            [.. entries.OrderByDescending(e => e.Value)],
            [.. exceptions.OrderByDescending(e => e.Value.Count).Select(e => new LoggedException(e.Key, e.Value.Count, e.Value.Message, e.Value.Stack))]);
    }

    /// <summary>The console logger's first line of an entry: <c>fail: Category[id]</c>.</summary>
    [GeneratedRegex(@"^(trce|dbug|info|warn|fail|crit): ([^\[]+)\[")]
    private static partial Regex EntryHeader();

    /// <summary>A line naming an exception type first: <c>System.FormatException: message</c> (also after <c>---&gt;</c>).</summary>
    [GeneratedRegex(@"^\s*(?:---> )?((?:[A-Za-z_][A-Za-z0-9_]*\.)*[A-Za-z_][A-Za-z0-9_]*Exception)(?::(.*)|\s*$)")]
    private static partial Regex ExceptionLine();
}
