using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Injector.Core;
using Injector.Core.Policy;
using Microsoft.Extensions.Logging.Abstractions;

namespace Injector.Webhook.Tests;

/// <summary>The memo of identical pods: a hit answers byte for byte what a miss answers, and every input that changes the answer changes the key.</summary>
public sealed class AdmissionMemoTests : IDisposable
{
    private readonly ReloadingInjectorSource _source = new(new ConfigSources(), TimeSpan.FromHours(1), NullLogger<ReloadingInjectorSource>.Instance);
    private readonly WebhookMetrics _metrics = new($"memo.{Guid.NewGuid():N}");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _source.Dispose();
        _metrics.Dispose();
    }

    public static TheoryData<string> Pods() =>
    [
        """{"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"web-7d4-","labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx","ports":[{"containerPort":80}]}]}}""",
        """{"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"web-7d4-","annotations":{"sidecar.istio.io/proxyCPU":"200m","proxy.istio.io/config":"holdApplicationUntilProxyStarts: true"}},"spec":{"initContainers":[{"name":"init","image":"busybox"}],"containers":[{"name":"web","image":"nginx","readinessProbe":{"httpGet":{"path":"/ready","port":8080}}}]}}""",
        """{"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"job-","labels":{"sidecar.istio.io/inject":"false"}},"spec":{"containers":[{"name":"job","image":"busybox"}]}}""",
        """{"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"bad-","annotations":{"traffic.sidecar.istio.io/excludeInboundPorts":"*"}},"spec":{"containers":[{"name":"web","image":"nginx"}]}}""",
        """{"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"w-","annotations":{"sidecar.istio.io/unknownThing":"x"}},"spec":{"containers":[{"name":"web","image":"nginx"}],"hostAliases":[{"ip":"10.0.0.1","hostnames":["a"]}]}}""",
    ];

    [Theory]
    [MemberData(nameof(Pods))]
    public async Task A_hit_answers_byte_for_byte_what_the_injector_answers(string pod)
    {
        var memo = new AdmissionMemo();
        var cached = Handler(memo);
        var uncached = Handler(memo: null);

        var miss = await cached.ReviewAsync(Review(pod, "uid-1"), "/inject", Ct);
        var hit = await cached.ReviewAsync(Review(pod, "uid-2"), "/inject", Ct);
        var fresh = await uncached.ReviewAsync(Review(pod, "uid-2"), "/inject", Ct);

        Assert.Equal((1, 1), (memo.Misses, memo.Hits));
        Assert.Equal(Json(fresh), Json(hit));
        Assert.Equal(Json(miss).Replace("uid-1", "uid-2", StringComparison.Ordinal), Json(hit));
        Assert.Equal((fresh.Kind, fresh.Code, fresh.Templates, fresh.Sentence, fresh.Message), (hit.Kind, hit.Code, hit.Templates, hit.Sentence, hit.Message));
    }

    [Theory]
    [InlineData("admission.k8s.io/v1", "uid-1")]
    [InlineData("admission.k8s.io/v1beta1", "<&'\"é\u2028\\/>")]
    public async Task The_bytes_written_for_a_hit_and_a_miss_are_the_serializers(string apiVersion, string uid)
    {
        var memo = new AdmissionMemo();
        var handler = Handler(memo);
        foreach (var pod in Pods().Select(p => p.Data))
        {
            var review = JsonNode.Parse(Encoding.UTF8.GetString(Review(pod, uid).Span))!;
            review["apiVersion"] = apiVersion;
            var body = Encoding.UTF8.GetBytes(review.ToJsonString());

            // The first miss, the second sight (kept from probation), and a hit.
            foreach (var _ in Enumerable.Range(0, 3))
            {
                var outcome = await handler.ReviewAsync(body, "/inject", Ct);
                Assert.NotNull(outcome.ResponseTail);
                var (bytes, length, rented) = AnswerBytes.Encode(outcome, System.Buffers.ArrayPool<byte>.Shared);
                Assert.True(rented);
                Assert.Equal(
                    Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(outcome.Review, AdmissionJsonContext.Default.AdmissionReview)),
                    Encoding.UTF8.GetString(bytes, 0, length));
                System.Buffers.ArrayPool<byte>.Shared.Return(bytes);
            }
        }

        Assert.True(memo.Hits >= Pods().Count() - 2, $"{memo.Hits} hits");
    }

    /// <summary>A key whose escapes make no text (a lone surrogate) is refused in the serializer's words, with or without the memo.</summary>
    [Theory]
    [InlineData("""{"\udc00":1,"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u"}}""")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"\udc00":"Pod"},"object":{}}}""")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","\ud800":1,"object":{}}}""")]
    public async Task A_key_that_decodes_to_no_text_is_answered_as_undecodable(string review)
    {
        foreach (var memo in new[] { new AdmissionMemo(), null })
        {
            var outcome = await Handler(memo).ReviewAsync(Encoding.UTF8.GetBytes(review), "/inject", Ct);

            Assert.Equal((AdmissionOutcomeKind.Failed, AdmissionHandler.UndecodableCode), (outcome.Kind, outcome.Code));
            Assert.StartsWith("could not decode AdmissionReview: ", outcome.Review.Response!.Status!.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_input_that_changes_the_answer_changes_the_key()
    {
        var memo = new AdmissionMemo();
        var handler = Handler(memo);
        var uncached = Handler(memo: null);
        var pod = Pods().First().Data;
        await handler.ReviewAsync(Review(pod, "u"), "/inject", Ct);

        // The object's bytes, the request namespace, the path: each a miss, each answering what the injector answers.
        var relabelled = pod.Replace("\"app\":\"web\"", "\"app\":\"web2\"", StringComparison.Ordinal);
        await AssertMiss(Review(relabelled, "u"), "/inject");
        await AssertMiss(Review(pod, "u", ns: "other"), "/inject");
        await AssertMiss(Review(pod, "u"), "/inject/cluster/c2/net/n2");

        // A new configuration snapshot (here: the nodes' native-sidecar support changed) empties the memo.
        Assert.True(_source.SetNativeSidecars(false));
        await AssertMiss(Review(pod, "u"), "/inject");
        Assert.Equal(1, memo.Count);

        // And the same again is a hit.
        var before = memo.Hits;
        await handler.ReviewAsync(Review(pod, "u"), "/inject", Ct);
        Assert.Equal(before + 1, memo.Hits);

        async Task AssertMiss(ReadOnlyMemory<byte> review, string path)
        {
            var misses = memo.Misses;
            var answer = await handler.ReviewAsync(review, path, Ct);
            Assert.Equal(misses + 1, memo.Misses);
            Assert.Equal(Json(await uncached.ReviewAsync(review, path, Ct)), Json(answer));
        }
    }

    [Fact]
    public async Task A_hit_tags_the_admission_span()
    {
        var spans = new List<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == Core.InjectorTracing.SourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = span =>
            {
                lock (spans)
                {
                    spans.Add(span);
                }
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var handler = Handler(new AdmissionMemo());
        var pod = Pods().First().Data;
        await handler.ReviewAsync(Review(pod, "a"), "/inject", Ct);

        System.Diagnostics.ActivityTraceId trace;
        using (var admission = Core.InjectorTracing.Source.StartActivity("admission", System.Diagnostics.ActivityKind.Server)!)
        {
            trace = admission.TraceId;
            await handler.ReviewAsync(Review(pod, "b"), "/inject", Ct);
        }

        // Other tests' spans are in the listener too: only this trace's count.
        lock (spans)
        {
            var tagged = spans.Where(s => s.TraceId == trace && s.GetTagItem("injector.memo") is not null).Select(s => s.OperationName);
            Assert.Equal(["admission"], tagged);
        }
    }

    [Fact]
    public async Task A_dry_run_gets_the_same_answer_and_is_marked_as_one()
    {
        var pod = Pods().First().Data;
        var uncached = Handler(memo: null);

        var real = await uncached.ReviewAsync(Review(pod, "u"), "/inject", Ct);
        var dry = await uncached.ReviewAsync(Review(pod, "u", dryRun: true), "/inject", Ct);

        Assert.Equal(AdmissionOutcomeKind.Injected, dry.Kind);
        Assert.True(dry.DryRun);
        Assert.False(real.DryRun);
        Assert.Equal(Json(real), Json(dry));
    }

    [Fact]
    public void The_key_is_the_exact_bytes_and_whitespace_is_a_different_object()
    {
        var injector = _source.Current;
        var same = MemoKey.Of(injector, "ns", "/inject", "{\"a\":1}"u8);

        Assert.Equal(same, MemoKey.Of(injector, "ns", "/inject", "{\"a\":1}"u8));
        Assert.NotEqual(same, MemoKey.Of(injector, "ns", "/inject", "{\"a\": 1}"u8));
        Assert.NotEqual(same, MemoKey.Of(injector, "other", "/inject", "{\"a\":1}"u8));
        Assert.NotEqual(same, MemoKey.Of(injector, "ns", "/inject/x", "{\"a\":1}"u8));
    }

    [Fact]
    public async Task An_answer_holds_only_while_the_namespace_annotations_are_the_same_dictionary()
    {
        var memo = new AdmissionMemo();
        var injector = new CountingInjector(new InjectionResult.Skipped(SkipReason.PolicyDisabled, [])) { ReadsNamespaceAnnotations = true };
        var namespaces = new Namespaces { Annotations = new Dictionary<string, string> { ["openshift.io/sa.scc.uid-range"] = "1000/10" } };
        var handler = new AdmissionHandler(injector, _metrics, NullLogger<AdmissionHandler>.Instance, namespaces, memo);
        var pod = Pods().First().Data;

        await handler.ReviewAsync(Review(pod, "a"), "/inject", Ct);
        await handler.ReviewAsync(Review(pod, "b"), "/inject", Ct);
        Assert.Equal((1, 1), (injector.Calls, memo.Hits));

        // The same annotations in a new dictionary (the watch saw the namespace change): computed again, then kept.
        namespaces.Annotations = new Dictionary<string, string>(namespaces.Annotations);
        await handler.ReviewAsync(Review(pod, "c"), "/inject", Ct);
        await handler.ReviewAsync(Review(pod, "d"), "/inject", Ct);
        Assert.Equal((2, 2), (injector.Calls, memo.Hits));
        Assert.Equal("shop", namespaces.Asked.Distinct().Single());
    }

    [Fact]
    public async Task A_kept_object_in_a_review_that_is_refused_elsewhere_is_still_refused()
    {
        var memo = new AdmissionMemo();
        var handler = Handler(memo);
        var pod = Pods().First().Data;
        await handler.ReviewAsync(Review(pod, "a"), "/inject", Ct);

        // The object is the kept one; a repeated key elsewhere in the review, or a review that is no pod's, is
        // answered as without the memo.
        var text = Encoding.UTF8.GetString(Review(pod, "b").Span);
        var repeated = text.Replace("\"uid\":\"b\"", "\"uid\":\"b\",\"uid\":\"c\"", StringComparison.Ordinal);
        var userInfo = text.Replace("\"userInfo\":{\"username\":", "\"userInfo\":{\"username\":\"x\",\"username\":", StringComparison.Ordinal);
        var notAPod = text.Replace("\"resource\":\"pods\"", "\"resource\":\"deployments\"", StringComparison.Ordinal);
        Assert.NotEqual(text, repeated);
        Assert.NotEqual(text, userInfo);
        Assert.NotEqual(text, notAPod);

        Assert.Equal(AdmissionOutcomeKind.Failed, (await handler.ReviewAsync(Encoding.UTF8.GetBytes(repeated), "/inject", Ct)).Kind);
        Assert.Equal(AdmissionOutcomeKind.Failed, (await handler.ReviewAsync(Encoding.UTF8.GetBytes(userInfo), "/inject", Ct)).Kind);
        Assert.Equal(AdmissionOutcomeKind.Ignored, (await handler.ReviewAsync(Encoding.UTF8.GetBytes(notAPod), "/inject", Ct)).Kind);
        Assert.Equal(0, memo.Hits);
    }

    [Fact]
    public async Task Answers_that_depend_on_time_or_an_injector_failure_are_never_kept()
    {
        var memo = new AdmissionMemo();
        var injector = new CountingInjector(new InjectionResult.Denied(DenialReason.DeadlineExceeded, "too slow", []));
        var handler = new AdmissionHandler(injector, _metrics, NullLogger<AdmissionHandler>.Instance, memo: memo);
        var pod = Pods().First().Data;

        await handler.ReviewAsync(Review(pod, "a"), "/inject", Ct);
        await handler.ReviewAsync(Review(pod, "b"), "/inject", Ct);
        injector.Result = new InjectionResult.Denied(DenialReason.InternalError, "boom", [], new InvalidOperationException());
        await handler.ReviewAsync(Review(pod, "c"), "/inject", Ct);
        await handler.ReviewAsync(Review(pod, "d"), "/inject", Ct);

        // A template failure may be a regular expression's timeout on a loaded machine; a stack-depth limit depends
        // on the call.
        injector.Result = new InjectionResult.Denied(DenialReason.TemplateFailed, "regexMatch: timed out", []);
        await handler.ReviewAsync(Review(pod, "e"), "/inject", Ct);
        await handler.ReviewAsync(Review(pod, "f"), "/inject", Ct);
        injector.Result = new InjectionResult.Denied(DenialReason.LimitExceeded, "nests too deeply", [], new InsufficientExecutionStackException());
        await handler.ReviewAsync(Review(pod, "g"), "/inject", Ct);
        await handler.ReviewAsync(Review(pod, "h"), "/inject", Ct);

        Assert.Equal(8, injector.Calls);
        Assert.Equal(0, memo.Count);

        // A denial that is the same whenever it is computed is kept.
        injector.Result = new InjectionResult.Denied(DenialReason.InvalidAnnotation, "bad value", []);
        await handler.ReviewAsync(Review(pod, "i"), "/inject", Ct);
        await handler.ReviewAsync(Review(pod, "j"), "/inject", Ct);
        Assert.Equal(9, injector.Calls);
    }

    [Fact]
    public async Task The_memo_stays_within_its_entries()
    {
        var memo = new AdmissionMemo(maxEntries: 8);
        var handler = Handler(memo);
        var pod = Pods().First().Data;

        for (var i = 0; i < 50; i++)
        {
            await handler.ReviewAsync(Review(pod.Replace("\"app\":\"web\"", $"\"app\":\"web{i}\"", StringComparison.Ordinal), $"u{i}"), "/inject", Ct);
            Assert.InRange(memo.Count, 1, 8);
        }
    }

    [Fact]
    public async Task Pods_seen_once_wait_in_probation_and_a_second_sight_keeps_the_answer()
    {
        var memo = new AdmissionMemo();
        var handler = Handler(memo);
        var uncached = Handler(memo: null);
        var pod = Pods().First().Data;
        string Distinct(int i) => pod.Replace("\"app\":\"web\"", $"\"app\":\"web{i}\"", StringComparison.Ordinal);

        // A stream of distinct pods: none reaches the memo proper, and probation holds at most its slots.
        for (var i = 0; i < 300; i++)
        {
            await handler.ReviewAsync(Review(Distinct(i), $"u{i}"), "/inject", Ct);
        }

        Assert.Equal((0L, 300L, 0), (memo.Hits, memo.Misses, memo.Proper));
        Assert.InRange(memo.Count, 1, AdmissionMemo.MaxProbationSlots);

        // The last of them is still waiting: asked again, it is a hit (the injector's very answer) and is kept.
        var again = await handler.ReviewAsync(Review(Distinct(299), "again"), "/inject", Ct);
        Assert.Equal((1L, 1), (memo.Hits, memo.Proper));
        Assert.Equal(Json(await uncached.ReviewAsync(Review(Distinct(299), "again"), "/inject", Ct)), Json(again));

        // Kept in the memo proper, it outlives any number of distinct pods passing through probation.
        for (var i = 300; i < 600; i++)
        {
            await handler.ReviewAsync(Review(Distinct(i), $"u{i}"), "/inject", Ct);
        }

        await handler.ReviewAsync(Review(Distinct(299), "later"), "/inject", Ct);
        Assert.Equal((2L, 1), (memo.Hits, memo.Proper));
    }

    [Fact]
    public async Task A_new_snapshot_empties_probation_too()
    {
        var memo = new AdmissionMemo();
        var handler = Handler(memo);
        var pod = Pods().First().Data;
        for (var i = 0; i < 10; i++)
        {
            await handler.ReviewAsync(Review(pod.Replace("\"app\":\"web\"", $"\"app\":\"web{i}\"", StringComparison.Ordinal), $"u{i}"), "/inject", Ct);
        }

        Assert.InRange(memo.Count, 2, 10);
        Assert.Equal(0, memo.Proper);

        // Answers of the old snapshot would never match a new key; they are not kept alive either.
        Assert.True(_source.SetNativeSidecars(false));
        await handler.ReviewAsync(Review(pod, "b"), "/inject", Ct);
        Assert.Equal((0L, 11L), (memo.Hits, memo.Misses));
        Assert.Equal(1, memo.Count);
    }

    private AdmissionHandler Handler(AdmissionMemo? memo) => new(_source, _metrics, NullLogger<AdmissionHandler>.Instance, memo: memo);

    /// <summary>The contract tests' review with this pod as its object.</summary>
    private static ReadOnlyMemory<byte> Review(string pod, string uid, string ns = "shop", bool dryRun = false)
    {
        var review = JsonNode.Parse(Reviews.Pod(uid: uid))!;
        review["request"]!["namespace"] = ns;
        review["request"]!["dryRun"] = dryRun;
        review["request"]!["object"] = JsonNode.Parse(pod);
        return Encoding.UTF8.GetBytes(review.ToJsonString());
    }

    private static string Json(AdmissionOutcome outcome) => JsonSerializer.Serialize(outcome.Review, AdmissionJsonContext.Default.AdmissionReview);

    private sealed class CountingInjector(InjectionResult result) : IPodInjector, IPodInjectorSource
    {
        public InjectionResult Result { get; set; } = result;

        public int Calls { get; private set; }

        public IPodInjector Current => this;

        public bool ReadsNamespaceAnnotations { get; init; }

        public InjectionResult Inject(InjectionRequest request, CancellationToken cancellationToken = default)
        {
            Calls++;
            return Result;
        }
    }

    private sealed class Namespaces : Cluster.INamespaceAnnotations
    {
        public IReadOnlyDictionary<string, string>? Annotations { get; set; }

        public List<string> Asked { get; } = [];

        public ValueTask<IReadOnlyDictionary<string, string>?> GetAsync(string @namespace, CancellationToken cancellationToken)
        {
            Asked.Add(@namespace);
            return ValueTask.FromResult(Annotations);
        }
    }
}
