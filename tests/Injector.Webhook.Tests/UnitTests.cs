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

public sealed class AdmissionHandlerTests : IDisposable
{
    private readonly WebhookMetrics _metrics = new($"test.{Guid.NewGuid():N}");
    private readonly MeterRecorder _recorded;

    public AdmissionHandlerTests() => _recorded = new MeterRecorder(_metrics.MeterName);

    public void Dispose()
    {
        _recorded.Dispose();
        _metrics.Dispose();
    }

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
        Assert.Equal(1, _recorded.Sum("injector_admissions_total", "outcome=injected", "reason=policy-enabled", "template=", "revision=default", "dry_run=false"));
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
        Assert.Equal(1, _recorded.Sum("sidecar_injection_skip_total"));
        Assert.Equal(1, _recorded.Sum("injector_admissions_total", "outcome=ignored", $"reason={AdmissionHandler.NotAPodCode}", "template=", "revision=default", "dry_run=false"));
    }

    [Fact]
    public async Task Skips_and_denials_are_counted_by_reason_and_dry_run()
    {
        var handler = Handler();
        var dryRun = JsonNode.Parse(Reviews.Pod(mode: "skip"))!;
        dryRun["request"]!["dryRun"] = true;
        await handler.ReviewAsync(Encoding.UTF8.GetBytes(Reviews.Pod(mode: "skip")), "/inject", TestContext.Current.CancellationToken);
        var outcome = await handler.ReviewAsync(Encoding.UTF8.GetBytes(dryRun.ToJsonString()), "/inject", TestContext.Current.CancellationToken);
        await handler.ReviewAsync(Encoding.UTF8.GetBytes(Reviews.Pod(mode: "error")), "/inject", TestContext.Current.CancellationToken);

        Assert.True(outcome.DryRun);
        Assert.Equal(2, _recorded.Sum("sidecar_injection_skip_total"));
        Assert.Equal(1, _recorded.Sum("sidecar_injection_failure_total"));
        Assert.Equal(1, _recorded.Sum("injector_admissions_total", "outcome=skipped", "reason=label-disabled", "template=", "revision=default", "dry_run=false"));
        Assert.Equal(1, _recorded.Sum("injector_admissions_total", "outcome=skipped", "reason=label-disabled", "template=", "revision=default", "dry_run=true"));
        Assert.Equal(1, _recorded.Sum("injector_admissions_total", "outcome=denied", "reason=invalid-annotation", "template=", "revision=default", "dry_run=false"));
    }
}
