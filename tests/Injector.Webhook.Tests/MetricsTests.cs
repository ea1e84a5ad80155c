using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Injector.Webhook.Tests;

/// <summary>
/// <c>/metrics</c> after one request of each outcome, on a server of its own: Istio's five series with istiod's meaning
/// and exact values, and ours, labelled by outcome, reason, templates, revision and dry run.
/// </summary>
public sealed class MetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_outcome_is_counted_as_istiod_counts_it_and_labelled_as_ours()
    {
        await using var server = await RunningServer.StartAsync(new FakeInjector());
        using var client = server.Client();
        var dryRun = JsonNode.Parse(Reviews.Pod())!;
        dryRun["request"]!["dryRun"] = true;
        var notAPod = JsonNode.Parse(Reviews.Pod())!;
        notAPod["request"]!["kind"]!["kind"] = "Service";
        notAPod["request"]!["resource"]!["resource"] = "services";

        await Post(client, Reviews.Json(Reviews.Pod()), HttpStatusCode.OK);                                       // injected
        await Post(client, Reviews.Json(dryRun.ToJsonString()), HttpStatusCode.OK);                               // injected, dry run
        await Post(client, Reviews.Json(Reviews.Pod(mode: "skip")), HttpStatusCode.OK);                           // skipped
        await Post(client, Reviews.Json(notAPod.ToJsonString()), HttpStatusCode.OK);                              // ignored
        await Post(client, Reviews.Json(Reviews.Pod(mode: "error")), HttpStatusCode.OK);                          // denied
        await Post(client, Reviews.Json("{\"kind\":\"AdmissionReview\""), HttpStatusCode.OK);                     // failed: undecodable
        await Post(client, new StringContent(Reviews.Pod(), Encoding.UTF8, "text/plain"), HttpStatusCode.UnsupportedMediaType);
        await Post(client, Reviews.Json(""), HttpStatusCode.BadRequest);                                          // no body

        var text = await client.GetStringAsync("/metrics", Ct);

        // istiod: every request; a success per answer written (skips and denials too); a skip per policy skip; a failure
        // per denial, undecodable review or refused body; every request timed.
        Assert.Equal(8, Value(text, "sidecar_injection_requests_total"));
        Assert.Equal(6, Value(text, "sidecar_injection_success_total"));
        Assert.Equal(2, Value(text, "sidecar_injection_skip_total"));
        Assert.Equal(4, Value(text, "sidecar_injection_failure_total"));
        Assert.Equal(8, Value(text, "sidecar_injection_time_seconds_count"));
        Assert.Contains("# TYPE sidecar_injection_requests_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE sidecar_injection_time_seconds histogram", text, StringComparison.Ordinal);
        // Istio's buckets, cumulative; a cold first request may pass 100 ms, none takes a minute.
        var buckets = new[] { "0.1", "1", "3", "5", "10", "20", "30", "60", "+Inf" }
            .Select(bound => Value(text, $"sidecar_injection_time_seconds_bucket{{le=\"{bound}\"}}"))
            .ToList();
        Assert.Equal(buckets.Order(), buckets);
        Assert.Equal(8, buckets[^2]);
        Assert.Equal(8, buckets[^1]);

        // Istio's series carry no labels at all (the exporter writes an empty set as "{}", which Prometheus reads as none).
        Assert.DoesNotContain(text.Split('\n'), l => l.StartsWith("sidecar_injection_requests_total{", StringComparison.Ordinal) && !l.StartsWith("sidecar_injection_requests_total{} ", StringComparison.Ordinal));

        Assert.Equal(1, Value(text, Admissions("injected", "policy-enabled", dryRun: false)));
        Assert.Equal(1, Value(text, Admissions("injected", "policy-enabled", dryRun: true)));
        Assert.Equal(1, Value(text, Admissions("skipped", "label-disabled", dryRun: false)));
        Assert.Equal(1, Value(text, Admissions("ignored", AdmissionHandler.NotAPodCode, dryRun: false)));
        Assert.Equal(1, Value(text, Admissions("denied", "invalid-annotation", dryRun: false)));
        Assert.Equal(1, Value(text, Admissions("failed", AdmissionHandler.UndecodableCode, dryRun: false)));
        Assert.Equal(1, Value(text, Admissions("rejected", "content-type", dryRun: false)));
        Assert.Equal(1, Value(text, Admissions("rejected", "no-body", dryRun: false)));
        Assert.Equal(2, Value(text, "injector_admission_duration_seconds_count{outcome=\"injected\"}"));

        // The runtime's own metrics come with the library.
        Assert.Contains("dotnet_gc_collections_total", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_process_memory_working_set_bytes", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Istios_counters_are_exported_at_zero_before_any_request()
    {
        await using var server = await RunningServer.StartAsync(new FakeInjector());
        using var client = server.Client();

        var text = await client.GetStringAsync("/metrics", Ct);

        foreach (var series in new[] { "sidecar_injection_requests_total", "sidecar_injection_success_total", "sidecar_injection_skip_total", "sidecar_injection_failure_total" })
        {
            Assert.Equal(0, Value(text, series));
        }
    }

    private static string Admissions(string outcome, string reason, bool dryRun) =>
        $"injector_admissions_total{{dry_run=\"{(dryRun ? "true" : "false")}\",outcome=\"{outcome}\",reason=\"{reason}\",revision=\"default\",template=\"\"}}";

    private static async Task Post(HttpClient client, HttpContent content, HttpStatusCode expected)
    {
        using (content)
        {
            using var response = await client.PostAsync("/inject", content, Ct);
            Assert.Equal(expected, response.StatusCode);
        }
    }

    /// <summary>
    /// The value of one series (name and labels exactly as exported; an unlabelled one may be written with "{}"); fails
    /// when it is absent or repeated.
    /// </summary>
    internal static double Value(string text, string series)
    {
        var line = Assert.Single(text.Split('\n'), l => l.StartsWith(series + " ", StringComparison.Ordinal) || (!series.Contains('{', StringComparison.Ordinal) && l.StartsWith(series + "{} ", StringComparison.Ordinal)));
        return double.Parse(line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..].Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
