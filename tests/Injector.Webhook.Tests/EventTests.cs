using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Injector.Webhook.Cluster;
using Injector.Webhook.Events;

namespace Injector.Webhook.Tests;

/// <summary>Events on the owning workload, through the real server and the fake API server.</summary>
public sealed class EventTests : IAsyncLifetime
{
    private FakeApiServer _api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        _api.PutNamespace("shop");
        _api.PutReplicaSet("shop", "web-7d4f9", uid: "rs-uid-1", deployment: "web", deploymentUid: "deploy-uid-1");
    }

    public async ValueTask DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_rollout_of_a_thousand_pods_is_one_event_on_the_deployment_counted_a_thousand_times()
    {
        await using var server = await Start();
        using var client = server.Client();

        await Parallel.ForAsync(0, 1000, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (_, ct) =>
        {
            using var response = await client.PostAsync("/inject", Reviews.Json(Review()), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        });

        await Eventually.True(() => _api.Events("shop").Sum(e => e["count"]!.GetValue<int>()) == 1000, "1,000 admissions counted", seconds: 20);
        var injected = Assert.Single(_api.Events("shop"));
        Assert.Equal("Injected", injected["reason"]!.GetValue<string>());
        Assert.Equal("Normal", injected["type"]!.GetValue<string>());
        Assert.Equal("Deployment", injected["involvedObject"]!["kind"]!.GetValue<string>());
        Assert.Equal("web", injected["involvedObject"]!["name"]!.GetValue<string>());
        Assert.Equal("deploy-uid-1", injected["involvedObject"]!["uid"]!.GetValue<string>());
        Assert.Equal("apps/v1", injected["involvedObject"]!["apiVersion"]!.GetValue<string>());
        Assert.Equal("injector", injected["source"]!["component"]!.GetValue<string>());
        Assert.Equal("Injected the sidecar (templates ; revision default): the injection policy is enabled (policy-enabled)", injected["message"]!.GetValue<string>());

        // One create and a few patches (one per flush interval), and the ReplicaSet read once.
        var writes = _api.Requests.Count(r => r.StartsWith("POST /api/v1/namespaces/shop/events", StringComparison.Ordinal) || r.StartsWith("PATCH /api/v1/namespaces/shop/events", StringComparison.Ordinal));
        Assert.InRange(writes, 1, 40);
        Assert.Equal(1, _api.Requests.Count(r => r.StartsWith("GET /apis/apps/v1/namespaces/shop/replicasets/web-7d4f9", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Skips_and_denials_are_recorded_with_their_reasons_and_dry_runs_never()
    {
        await using var server = await Start();
        using var client = server.Client();

        foreach (var review in new[] { Review(mode: "skip"), Review(mode: "error"), Review(mode: "error"), Review(dryRun: true), Review(mode: "error", dryRun: true), Review(owned: false) })
        {
            using var response = await client.PostAsync("/inject", Reviews.Json(review), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await Eventually.True(() => _api.Events("shop").Count == 2 && _api.Events("shop").Sum(e => e["count"]!.GetValue<int>()) == 3, "a skip and two denials", seconds: 20);
        var skipped = Assert.Single(_api.Events("shop"), e => e["reason"]!.GetValue<string>() == AdmissionEvents.SkippedReason);
        Assert.Equal("Normal", skipped["type"]!.GetValue<string>());
        Assert.Equal("Not injected (revision default): the pod's sidecar.istio.io/inject label is \"false\" (label-disabled)", skipped["message"]!.GetValue<string>());
        var denied = Assert.Single(_api.Events("shop"), e => e["reason"]!.GetValue<string>() == AdmissionEvents.DeniedReason);
        Assert.Equal("Warning", denied["type"]!.GetValue<string>());
        Assert.Equal(2, denied["count"]!.GetValue<int>());
        Assert.Contains(FakeInjector.ErrorMessage, denied["message"]!.GetValue<string>(), StringComparison.Ordinal);

        // The dry runs and the pod without a controller left nothing, even after more intervals.
        await Task.Delay(600, Ct);
        Assert.Equal(3, _api.Events("shop").Sum(e => e["count"]!.GetValue<int>()));
    }

    [Fact]
    public async Task A_refusing_or_slow_api_server_never_delays_or_fails_an_admission()
    {
        _api.EventWriteStatus = HttpStatusCode.Forbidden;
        _api.EventWriteDelay = TimeSpan.FromSeconds(3);
        await using var server = await Start();
        using var client = server.Client();

        using (var warm = await client.PostAsync("/inject", Reviews.Json(Review()), Ct))
        {
            // The first answer of a fresh server pays for the TLS handshake and the JIT; it is not what is measured.
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var slowest = TimeSpan.Zero;
        for (var i = 0; i < 50; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await client.PostAsync("/inject", Reviews.Json(Review()), Ct);
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
            slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
            Assert.True(answer["response"]!["allowed"]!.GetValue<bool>());
            Assert.NotNull(answer["response"]!["patch"]);
        }

        // Each Event write takes 3 s here; no admission waits for one.
        Assert.True(slowest < TimeSpan.FromSeconds(1.5), $"the slowest admission took {slowest.TotalSeconds:F1} s while Event writes were stuck");
        await Eventually.True(async () => (await client.GetStringAsync("/metrics", Ct)).Contains("injector_events_total{result=\"failed\"}", StringComparison.Ordinal), "the refused write is counted", seconds: 20);
        Assert.Empty(_api.Events("shop"));
    }

    [Theory]
    [InlineData("""{"metadata":true}""")]
    [InlineData("""{"metadata":{"ownerReferences":"x"}}""")]
    [InlineData("""{"metadata":{"ownerReferences":[{"kind":"ReplicaSet","name":"a","controller":true}]}}""")]
    [InlineData("""{"metadata":{"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"a","uid":"u","controller":false}]}}""")]
    public void A_pod_without_a_readable_controller_has_no_event_subject(string pod) =>
        Assert.Null(EventSubject.Of(JsonNode.Parse(pod)!.AsObject(), "shop"));

    [Fact]
    public void A_statefulset_pod_names_the_statefulset()
    {
        var pod = JsonNode.Parse("""{"metadata":{"name":"db-0","ownerReferences":[{"apiVersion":"apps/v1","kind":"StatefulSet","name":"db","uid":"ss-1","controller":true}]}}""")!.AsObject();

        var subject = EventSubject.Of(pod, "shop")!;

        Assert.True(subject.IsController);
        Assert.Equal(("StatefulSet", "db"), (subject.Workload.Kind, subject.Workload.Name));
    }

    private Task<RunningServer> Start() => RunningServer.StartAsync(
        _ => new FakeInjector(),
        cluster: new ClusterOptions(_api.Client, WatchNodes: false, WatchNamespaces: false, EventFlushInterval: TimeSpan.FromMilliseconds(200)));

    /// <summary>A review of a pod of the <c>web</c> Deployment (through ReplicaSet web-7d4f9), as the API server sends it.</summary>
    private static string Review(string? mode = null, bool dryRun = false, bool owned = true)
    {
        var review = JsonNode.Parse(Reviews.Pod(mode: mode))!;
        var request = review["request"]!;
        request["namespace"] = "shop";
        request["dryRun"] = dryRun;
        var metadata = request["object"]!["metadata"]!.AsObject();
        metadata["generateName"] = "web-7d4f9-";
        metadata["labels"]!["pod-template-hash"] = "7d4f9";
        if (owned)
        {
            metadata["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "ReplicaSet", ["name"] = "web-7d4f9", ["uid"] = "rs-uid-1", ["controller"] = true });
        }

        return review.ToJsonString();
    }
}
