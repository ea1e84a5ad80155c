using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Injector.Webhook;

/// <summary>The webhook's counters and latency histogram, rendered in the Prometheus text format. Thread-safe.</summary>
public sealed class WebhookMetrics
{
    /// <summary>Upper bounds (seconds) of the request duration histogram; <c>+Inf</c> is implied.</summary>
    public static readonly IReadOnlyList<double> DurationBuckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1];

    private readonly long[] _bucketCounts = new long[DurationBuckets.Count + 1];
    private readonly ConcurrentDictionary<string, StrongBox<long>> _skips = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox<long>> _denials = new(StringComparer.Ordinal);
    private readonly Lock _durationLock = new();
    private long _requests;
    private long _successes;
    private long _failures;
    private long _durationCount;
    private double _durationSum;

    public long Requests => Interlocked.Read(ref _requests);

    public long Successes => Interlocked.Read(ref _successes);

    public long Failures => Interlocked.Read(ref _failures);

    public long Skips(string reason) => _skips.TryGetValue(reason, out var box) ? Interlocked.Read(ref box.Value) : 0;

    public void CountRequest() => Interlocked.Increment(ref _requests);

    public void CountSuccess() => Interlocked.Increment(ref _successes);

    public void CountFailure() => Interlocked.Increment(ref _failures);

    /// <summary>A denied pod: a failure, also counted by its <c>DenialReason</c> code.</summary>
    public void CountDenial(string reason)
    {
        CountFailure();
        var box = _denials.GetOrAdd(reason, static _ => new StrongBox<long>());
        Interlocked.Increment(ref box.Value);
    }

    public long Denials(string reason) => _denials.TryGetValue(reason, out var box) ? Interlocked.Read(ref box.Value) : 0;

    public void CountSkip(string reason)
    {
        var box = _skips.GetOrAdd(reason, static _ => new StrongBox<long>());
        Interlocked.Increment(ref box.Value);
    }

    public void ObserveDuration(TimeSpan duration)
    {
        var seconds = Math.Max(0, duration.TotalSeconds);
        var bucket = 0;
        while (bucket < DurationBuckets.Count && seconds > DurationBuckets[bucket])
        {
            bucket++;
        }

        lock (_durationLock)
        {
            _bucketCounts[bucket]++;
            _durationCount++;
            _durationSum += seconds;
        }
    }

    /// <summary>The metrics in the Prometheus text exposition format (version 0.0.4).</summary>
    public string Render()
    {
        var text = new StringBuilder();
        Counter(text, "injector_requests_total", "Total webhook injection requests.", Requests);
        Counter(text, "injector_success_total", "Total successful injections.", Successes);
        Counter(text, "injector_failure_total", "Total failed or denied injection requests.", Failures);

        text.Append("# HELP injector_denied_total Total pods denied, by reason.\n");
        text.Append("# TYPE injector_denied_total counter\n");
        foreach (var (reason, box) in _denials.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"injector_denied_total{{reason=\"{EscapeLabel(reason)}\"}} {Interlocked.Read(ref box.Value)}\n");
        }

        text.Append("# HELP injector_skip_total Total pods not injected, by reason.\n");
        text.Append("# TYPE injector_skip_total counter\n");
        foreach (var (reason, box) in _skips.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"injector_skip_total{{reason=\"{EscapeLabel(reason)}\"}} {Interlocked.Read(ref box.Value)}\n");
        }

        long[] buckets;
        long count;
        double sum;
        lock (_durationLock)
        {
            buckets = (long[])_bucketCounts.Clone();
            count = _durationCount;
            sum = _durationSum;
        }

        text.Append("# HELP injector_request_duration_seconds Time taken to answer an injection request.\n");
        text.Append("# TYPE injector_request_duration_seconds histogram\n");
        long cumulative = 0;
        for (var i = 0; i < DurationBuckets.Count; i++)
        {
            cumulative += buckets[i];
            text.Append(CultureInfo.InvariantCulture, $"injector_request_duration_seconds_bucket{{le=\"{DurationBuckets[i]}\"}} {cumulative}\n");
        }

        cumulative += buckets[^1];
        text.Append(CultureInfo.InvariantCulture, $"injector_request_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}\n");
        text.Append(CultureInfo.InvariantCulture, $"injector_request_duration_seconds_sum {sum}\n");
        text.Append(CultureInfo.InvariantCulture, $"injector_request_duration_seconds_count {count}\n");
        return text.ToString();
    }

    private static void Counter(StringBuilder text, string name, string help, long value)
    {
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n");
        text.Append(CultureInfo.InvariantCulture, $"# TYPE {name} counter\n");
        text.Append(CultureInfo.InvariantCulture, $"{name} {value}\n");
    }

    private static string EscapeLabel(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal);

    private sealed class StrongBox<T>
    {
        public T Value = default!;
    }
}
