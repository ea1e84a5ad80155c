using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Injector.Webhook.Tests;

public sealed class AdmissionResponsesTests
{
    [Fact]
    public void Responses_serialise_like_Kubernetes()
    {
        var patched = Serialize(AdmissionResponses.Patched("u1", Encoding.UTF8.GetBytes("[]")));
        var denied = Serialize(AdmissionResponses.Denied("u2", "no"));
        var allowed = Serialize(AdmissionResponses.Allowed(null));

        Assert.Equal("{\"uid\":\"u1\",\"allowed\":true,\"patch\":\"W10=\",\"patchType\":\"JSONPatch\"}", patched);
        Assert.Equal("{\"uid\":\"u2\",\"allowed\":false,\"status\":{\"metadata\":{},\"message\":\"no\"}}", denied);
        Assert.Equal("{\"uid\":\"\",\"allowed\":true}", allowed);
    }

    [Fact]
    public void Warnings_are_cut_without_splitting_a_surrogate_pair()
    {
        var warning = new string('a', 255) + "😀😀";

        var cut = AdmissionResponses.CutWarnings([warning, "", new string('b', 256)])!;

        Assert.Equal(new string('a', 255), cut[0]);
        Assert.Equal("", cut[1]);
        Assert.Equal(256, cut[2].Length);
        Assert.Null(AdmissionResponses.CutWarnings([]));
    }

    private static string Serialize(AdmissionResponse response) =>
        JsonSerializer.Serialize(new AdmissionReview { Response = response }, AdmissionJsonContext.Default.AdmissionReview)[12..^1];
}

public sealed class AdmissionHandlerTests
{
    private readonly WebhookMetrics _metrics = new();

    private AdmissionHandler Handler() => new(new FakeInjector(), _metrics, NullLogger<AdmissionHandler>.Instance);

    [Fact]
    public async Task Review_seam_answers_without_HTTP()
    {
        var outcome = await Handler().ReviewAsync(Encoding.UTF8.GetBytes(Reviews.Pod(uid: "seam")), "/inject/cluster/c9", TestContext.Current.CancellationToken);

        Assert.Equal(AdmissionOutcomeKind.Injected, outcome.Kind);
        Assert.Equal("policy-enabled", outcome.Code);
        Assert.Equal("default", outcome.PodNamespace);
        Assert.Equal("hello-", outcome.PodName);
        Assert.Equal("seam", outcome.Review.Response!.Uid);
        var patch = JsonNode.Parse(outcome.Review.Response.Patch)!;
        Assert.Equal("ISTIO_META_CLUSTER_ID=c9", patch[0]!["value"]!["test/path-env"]!.GetValue<string>());
        Assert.Equal(1, _metrics.Successes);
    }

    [Fact]
    public async Task Subresource_requests_are_ignored()
    {
        var review = JsonNode.Parse(Reviews.Pod(uid: "sub"))!;
        review["request"]!["subResource"] = "ephemeralcontainers";

        var outcome = await Handler().ReviewAsync(Encoding.UTF8.GetBytes(review.ToJsonString()), "/inject", TestContext.Current.CancellationToken);

        Assert.Equal(AdmissionOutcomeKind.Ignored, outcome.Kind);
        Assert.True(outcome.Review.Response!.Allowed);
        Assert.Null(outcome.Review.Response.Patch);
        Assert.Equal(1, _metrics.Skips(AdmissionHandler.NotAPodCode));
    }

    [Fact]
    public async Task Skips_are_counted_by_reason()
    {
        var handler = Handler();
        await handler.ReviewAsync(Encoding.UTF8.GetBytes(Reviews.Pod(mode: "skip")), "/inject", TestContext.Current.CancellationToken);
        await handler.ReviewAsync(Encoding.UTF8.GetBytes(Reviews.Pod(mode: "skip")), "/inject", TestContext.Current.CancellationToken);
        await handler.ReviewAsync(Encoding.UTF8.GetBytes(Reviews.Pod(mode: "error")), "/inject", TestContext.Current.CancellationToken);

        Assert.Equal(2, _metrics.Skips("label-disabled"));
        Assert.Equal(1, _metrics.Failures);
        Assert.Contains("injector_skip_total{reason=\"label-disabled\"} 2\n", _metrics.Render(), StringComparison.Ordinal);
    }
}

public sealed class WebhookMetricsTests
{
    [Fact]
    public void Histogram_is_cumulative_with_the_configured_buckets()
    {
        var metrics = new WebhookMetrics();
        metrics.ObserveDuration(TimeSpan.FromMilliseconds(0.5));
        metrics.ObserveDuration(TimeSpan.FromMilliseconds(3));
        metrics.ObserveDuration(TimeSpan.FromMilliseconds(5));
        metrics.ObserveDuration(TimeSpan.FromSeconds(2));

        var text = metrics.Render();

        Assert.Contains("injector_request_duration_seconds_bucket{le=\"0.001\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("injector_request_duration_seconds_bucket{le=\"0.005\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("injector_request_duration_seconds_bucket{le=\"1\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("injector_request_duration_seconds_bucket{le=\"+Inf\"} 4\n", text, StringComparison.Ordinal);
        Assert.Contains("injector_request_duration_seconds_count 4\n", text, StringComparison.Ordinal);
        Assert.Contains("injector_requests_total 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Counters_are_thread_safe()
    {
        var metrics = new WebhookMetrics();

        Parallel.For(0, 10_000, i =>
        {
            metrics.CountRequest();
            metrics.CountSkip(i % 2 == 0 ? "a" : "b");
            metrics.ObserveDuration(TimeSpan.FromMilliseconds(1));
        });

        Assert.Equal(10_000, metrics.Requests);
        Assert.Equal(5_000, metrics.Skips("a"));
        Assert.Contains("injector_request_duration_seconds_count 10000\n", metrics.Render(), StringComparison.Ordinal);
    }
}
