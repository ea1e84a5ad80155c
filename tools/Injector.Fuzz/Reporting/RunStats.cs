using Injector.Fuzz.Cases;
using Injector.Fuzz.Checks;
using Injector.Fuzz.Running;

namespace Injector.Fuzz.Reporting;

/// <summary>Counts and latencies of every request of the run, safe to add to from every worker.</summary>
internal sealed class RunStats
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _byStatus = new(StringComparer.Ordinal);
    private readonly Dictionary<ReviewOutcome, int> _byOutcome = [];
    private readonly Dictionary<string, int> _byMutation = new(StringComparer.Ordinal);
    private readonly List<double> _latencies = [];
    private readonly List<(double Ms, string What)> _slowest = [];

    private const int SlowestKept = 5;

    public int Requests { get; private set; }

    public int Normal { get; private set; }

    public int PatchesUnverified { get; private set; }

    public int LostToCrash { get; private set; }

    public long BytesSent { get; private set; }

    public void Record(FuzzCase c, Exchange x, CheckResult? check)
    {
        var status = x.Failure switch
        {
            ExchangeFailure.None => x.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?",
            ExchangeFailure.Timeout => "timeout",
            ExchangeFailure.Connection => "connection-error",
            _ => "cancelled",
        };
        lock (_gate)
        {
            Requests++;
            BytesSent += c.Body.Length;
            Increment(_byStatus, status);
            foreach (var name in c.Mutation.Split('+'))
            {
                Increment(_byMutation, name);
            }

            if (c.ExpectInjected)
            {
                Normal++;
            }

            if (check is not null)
            {
                Increment(_byOutcome, check.Outcome);
                if (check.PatchUnverified)
                {
                    PatchesUnverified++;
                }
            }
            else
            {
                LostToCrash++;
            }

            if (x.Failure is ExchangeFailure.None)
            {
                _latencies.Add(x.Milliseconds);
                if (_slowest.Count < SlowestKept || x.Milliseconds > _slowest[^1].Ms)
                {
                    _slowest.Add((x.Milliseconds, $"case {c.Index} {c.Mutation} [{c.Seed}] {c.Body.Length:N0} bytes, HTTP {status}"));
                    _slowest.Sort((a, b) => b.Ms.CompareTo(a.Ms));
                    if (_slowest.Count > SlowestKept)
                    {
                        _slowest.RemoveAt(_slowest.Count - 1);
                    }
                }
            }
        }
    }

    public IReadOnlyList<KeyValuePair<string, int>> ByStatus()
    {
        lock (_gate)
        {
            return [.. _byStatus.OrderBy(p => p.Key, StringComparer.Ordinal)];
        }
    }

    public IReadOnlyList<KeyValuePair<ReviewOutcome, int>> ByOutcome()
    {
        lock (_gate)
        {
            return [.. _byOutcome.Where(p => p.Key != ReviewOutcome.NotReviewed).OrderBy(p => p.Key)];
        }
    }

    public IReadOnlyList<KeyValuePair<string, int>> ByMutation()
    {
        lock (_gate)
        {
            return [.. _byMutation.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)];
        }
    }

    /// <summary>The slowest answered requests, slowest first.</summary>
    public IReadOnlyList<(double Ms, string What)> Slowest()
    {
        lock (_gate)
        {
            return [.. _slowest];
        }
    }

    /// <summary>p50, p99 and max of the answered requests, in ms (zeros when none).</summary>
    public (double P50, double P99, double Max) Latency()
    {
        lock (_gate)
        {
            if (_latencies.Count == 0)
            {
                return (0, 0, 0);
            }

            var sorted = _latencies.Order().ToArray();
            double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
            return (At(0.50), At(0.99), sorted[^1]);
        }
    }

    private static void Increment<TKey>(Dictionary<TKey, int> counts, TKey key)
        where TKey : notnull =>
        counts[key] = counts.GetValueOrDefault(key) + 1;
}
