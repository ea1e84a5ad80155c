using System.Diagnostics;
using System.Diagnostics.Metrics;
using Injector.Core.Templates;

namespace Injector.Webhook;

/// <summary>
/// The webhook's instruments, exported on <c>/metrics</c> by OpenTelemetry's Prometheus exporter. Two families:
/// Istio's five unlabelled series with istiod's meaning (so Istio's dashboards and alerts work unchanged), and our
/// labelled ones, which say why: every admission by outcome, reason code, templates, revision and dry run.
/// </summary>
public sealed class WebhookMetrics : IDisposable
{
    /// <summary>The meter's name (the OpenTelemetry scope); a test server passes its own so parallel servers do not share counts.</summary>
    public const string DefaultMeterName = "Injector.Webhook";

    /// <summary>istiod's buckets for <c>sidecar_injection_time_seconds</c>.</summary>
    public static readonly IReadOnlyList<double> IstioTimeBuckets = [0.1, 1, 3, 5, 10, 20, 30, 60];

    /// <summary>The one instrument whose label sets are many: reasons by outcome, template lists, revisions, dry runs.</summary>
    public const string AdmissionsName = "injector_admissions_total";

    /// <summary>Our duration buckets: an admission takes milliseconds, which Istio's 100 ms first bucket cannot tell apart.</summary>
    public static readonly IReadOnlyList<double> DurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _successes;
    private readonly Counter<long> _skips;
    private readonly Counter<long> _failures;
    private readonly Histogram<double> _time;
    private readonly Counter<long> _admissions;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _events;
    private readonly Counter<long> _memo;

    public WebhookMetrics(string meterName = DefaultMeterName)
    {
        MeterName = meterName;
        _meter = new Meter(meterName);
        _requests = _meter.CreateCounter<long>("sidecar_injection_requests_total", description: "Total number of sidecar injection requests.");
        _successes = _meter.CreateCounter<long>("sidecar_injection_success_total", description: "Total number of successful sidecar injection requests.");
        _skips = _meter.CreateCounter<long>("sidecar_injection_skip_total", description: "Total number of skipped sidecar injection requests.");
        _failures = _meter.CreateCounter<long>("sidecar_injection_failure_total", description: "Total number of failed sidecar injection requests.");
        _time = _meter.CreateHistogram(
            "sidecar_injection_time_seconds",
            unit: "s",
            description: "Total time taken for injection in seconds.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = IstioTimeBuckets });
        _admissions = _meter.CreateCounter<long>(
            AdmissionsName,
            description: "Admission requests answered, by outcome (injected, skipped, ignored, denied, failed, rejected), reason code, templates, revision and dry run.");
        _duration = _meter.CreateHistogram(
            "injector_admission_duration_seconds",
            unit: "s",
            description: "Time taken to answer an admission request, by outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

        _events = _meter.CreateCounter<long>(
            "injector_events_total",
            description: "Kubernetes Event writes about admissions, by result (created, updated, failed, dropped: the queue was full).");

        _memo = _meter.CreateCounter<long>(
            "injector_memo_total",
            description: "Admissions answered from the memo of identical pods (hit) or computed (miss).");

        // The template render memo's counts are process-wide (the templating layer has no meter): what a pod's
        // templates cost is told by how their outputs were found, and a memo that stopped by a counter that grows.
        _meter.CreateObservableCounter(
            "injector_template_outputs_total",
            () => new[]
            {
                new Measurement<long>(RenderCounters.Count(RenderResult.Memo), new KeyValuePair<string, object?>("result", "memo")),
                new Measurement<long>(RenderCounters.Count(RenderResult.SameText), new KeyValuePair<string, object?>("result", "same_text")),
                new Measurement<long>(RenderCounters.Count(RenderResult.Parsed), new KeyValuePair<string, object?>("result", "parsed")),
            },
            description: "Template outputs of injections, by how they were found: memo (a kept render read the same of the pod: not rendered), same_text (rendered to a kept text: not parsed), parsed (rendered and parsed).");
        _meter.CreateObservableCounter(
            "injector_render_memo_stops_total",
            () => RenderCounters.Stops,
            description: "Templates whose render memo stopped because a render was not deterministic (each is logged); their pods are rendered in full.");

        // Istio's counters are exported from the start, at zero, so an alert on a rate sees a series before the first failure.
        foreach (var counter in new[] { _requests, _successes, _skips, _failures })
        {
            counter.Add(0);
        }
    }

    public string MeterName { get; }

    /// <summary>A POST to <c>/inject</c> arrived (Istio counts every one, before reading the body).</summary>
    public void CountRequest() => _requests.Add(1);

    /// <summary>An answer was written with HTTP 200: Istio counts skips and denials as successes too, since the hook answered.</summary>
    public void CountWritten() => _successes.Add(1);

    /// <summary>The policy left the pod alone.</summary>
    public void CountSkip() => _skips.Add(1);

    /// <summary>The request failed or the pod was denied (Istio's <c>handleError</c>).</summary>
    public void CountFailure() => _failures.Add(1);

    /// <summary>One answered admission, labelled. <paramref name="templates"/> is the comma-joined template list of an injection, else empty.</summary>
    public void CountAdmission(string outcome, string reason, string templates, string revision, bool dryRun)
    {
        var tags = new TagList
        {
            { "outcome", outcome },
            { "reason", reason },
            { "template", templates },
            { "revision", revision },
            { "dry_run", dryRun ? "true" : "false" },
        };
        _admissions.Add(1, tags);
    }

    /// <summary>The whole request's time, into Istio's histogram and (labelled by outcome) ours.</summary>
    public void ObserveDuration(TimeSpan duration, string outcome)
    {
        var seconds = Math.Max(0, duration.TotalSeconds);
        _time.Record(seconds);
        _duration.Record(seconds, new KeyValuePair<string, object?>("outcome", outcome));
    }

    /// <summary>One Event write (or an admission dropped before it).</summary>
    public void CountEvent(string result) => _events.Add(1, new KeyValuePair<string, object?>("result", result));

    /// <summary>One admission looked up in the memo.</summary>
    public void CountMemo(bool hit) => _memo.Add(1, new KeyValuePair<string, object?>("result", hit ? "hit" : "miss"));

    public void Dispose() => _meter.Dispose();
}
