using System.Text.Json.Nodes;

namespace Injector.Webhook.Console;

/// <summary>One admission outcome as the console lists it: no pod contents, only names already escaped for logs.</summary>
public sealed record Decision(DateTimeOffset Time, string Namespace, string Pod, string Outcome, string Reason, double LatencyMs, bool DryRun);

/// <summary>
/// The last <see cref="Capacity"/> admission outcomes, newest first, in memory only: what the console's Recent
/// decisions page shows. Bounded (a ring), lock-protected, and cheap on the request path (one small record).
/// </summary>
public sealed class RecentDecisions
{
    public const int Capacity = 200;

    private readonly Decision?[] _ring = new Decision?[Capacity];
    private readonly Lock _lock = new();
    private long _count;

    public void Record(Decision decision)
    {
        lock (_lock)
        {
            _ring[_count % Capacity] = decision;
            _count++;
        }
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<Decision> Snapshot()
    {
        lock (_lock)
        {
            var n = (int)Math.Min(_count, Capacity);
            var list = new List<Decision>(n);
            for (var i = 1; i <= n; i++)
            {
                list.Add(_ring[(_count - i) % Capacity]!);
            }

            return list;
        }
    }

    public JsonObject ToJson() => new()
    {
        ["capacity"] = Capacity,
        ["decisions"] = new JsonArray([.. Snapshot().Select(d => (JsonNode)new JsonObject
        {
            ["time"] = d.Time.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["namespace"] = d.Namespace,
            ["pod"] = d.Pod,
            ["outcome"] = d.Outcome,
            ["reason"] = d.Reason,
            ["latencyMs"] = Math.Round(d.LatencyMs, 1),
            ["dryRun"] = d.DryRun,
        })]),
    };
}
