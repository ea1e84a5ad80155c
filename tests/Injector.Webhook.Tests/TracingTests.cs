using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Trace;

namespace Injector.Webhook.Tests;

/// <summary>
/// One span per admission with the stages as children, through the real server and the real injector: into an
/// in-memory exporter, and over OTLP to a local receiver when the standard variables name an endpoint.
/// </summary>
public sealed class TracingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_admission_is_one_span_with_decode_decide_render_merge_post_process_and_diff_as_children()
    {
        var spans = new LockedList<Activity>();
        using var source = RealInjector();
        await using var server = await RunningServer.StartAsync(
            _ => source,
            configure: o => o with { ConfigureTracing = t => t.AddInMemoryExporter(spans) });
        using var client = server.Client();
        var ns = $"trace-{Guid.NewGuid():N}"[..20];
        var traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        using var request = new HttpRequestMessage(HttpMethod.Post, "/inject") { Content = Reviews.Json(Review(ns)) };
        request.Headers.Add("traceparent", traceParent);
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var admission = await Eventually.Found(() => spans.FirstOrDefault(s => s.DisplayName == "admission" && Equals(s.GetTagItem("k8s.namespace.name"), ns)), "the admission span");
        var children = spans.Where(s => s.ParentSpanId == admission.SpanId).Select(s => s.DisplayName).ToList();

        // The API server's trace goes on through the webhook.
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", admission.TraceId.ToHexString());
        Assert.Equal("b7ad6b7169203331", admission.ParentSpanId.ToHexString());
        Assert.Equal(ActivityKind.Server, admission.Kind);
        Assert.Equal(["decode", "decide", "render", "merge", "post-process", "diff"], children);
        Assert.Equal("injected", admission.GetTagItem("injector.outcome"));
        Assert.Equal("policy-enabled", admission.GetTagItem("injector.reason"));
        Assert.Equal("Deployment/web", admission.GetTagItem("injector.workload"));
        Assert.Equal("sidecar", admission.GetTagItem("injector.templates"));
        Assert.Equal(false, admission.GetTagItem("injector.dry_run"));
        Assert.Equal("sidecar", spans.Single(s => s.ParentSpanId == admission.SpanId && s.DisplayName == "render").GetTagItem("injector.template"));
        Assert.DoesNotContain(spans.Where(s => s.TraceId == admission.TraceId).SelectMany(s => s.TagObjects), t => t.Value is string v && v.Contains("registry.example", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_traceparent_the_admission_is_a_recorded_root_span_even_with_logging_on()
    {
        // With a logger, ASP.NET Core starts an unrecorded activity of its own for the request; the admission span
        // must not become its child, or the parent-based sampler drops it.
        var spans = new LockedList<Activity>();
        using var logs = new CapturingLoggerProvider();
        using var source = RealInjector();
        await using var server = await RunningServer.StartAsync(
            _ => source,
            logging: logs,
            configure: o => o with { ConfigureTracing = t => t.AddInMemoryExporter(spans) });
        using var client = server.Client();
        var ns = $"root-{Guid.NewGuid():N}"[..20];

        using var response = await client.PostAsync("/inject", Reviews.Json(Review(ns)), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var admission = await Eventually.Found(() => spans.FirstOrDefault(s => s.DisplayName == "admission" && Equals(s.GetTagItem("k8s.namespace.name"), ns)), "the admission span");
        Assert.Equal(default, admission.ParentSpanId);
        Assert.True(admission.Recorded);
        Assert.Equal(6, spans.Count(s => s.ParentSpanId == admission.SpanId));
    }

    [Fact]
    public async Task Without_an_otlp_endpoint_no_tracer_is_configured()
    {
        await using var server = await RunningServer.StartAsync(new FakeInjector());

        Assert.Null(server.App.Services.GetService<TracerProvider>());
    }

    [Fact]
    public async Task An_otlp_endpoint_in_the_standard_variables_sends_the_spans_there()
    {
        var bodies = new ConcurrentQueue<byte[]>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var receiver = builder.Build();
        receiver.MapPost("/v1/traces", async (HttpContext context) =>
        {
            using var copy = new MemoryStream();
            await context.Request.Body.CopyToAsync(copy);
            bodies.Enqueue(copy.ToArray());
            return Results.Ok();
        });
        await receiver.StartAsync(Ct);
        using var source = RealInjector();
        using var logs = new CapturingLoggerProvider();
        await using var server = await RunningServer.StartAsync(
            _ => source,
            logging: logs,
            configure: o => o with
            {
                Settings = new Dictionary<string, string?>
                {
                    ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Urls.First(),
                    ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                    ["OTEL_BSP_SCHEDULE_DELAY"] = "1000",
                },
            });
        using var client = server.Client();
        var ns = $"otlp-{Guid.NewGuid():N}"[..20];

        using var response = await client.PostAsync("/inject", Reviews.Json(Review(ns)), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // The protobuf carries span names and string attributes as plain UTF-8. One admission's spans end within
        // milliseconds of each other, so they travel in one batch (the exporter sends once a second here).
        var body = await Eventually.Found(() => bodies.Select(b => Encoding.UTF8.GetString(b)).FirstOrDefault(b => b.Contains(ns, StringComparison.Ordinal)), "an OTLP batch with the admission");
        foreach (var name in new[] { "admission", "decode", "decide", "render", "merge", "post-process", "diff", "service.name", "injector" })
        {
            Assert.Contains(name, body, StringComparison.Ordinal);
        }
    }

    /// <summary>A collection the exporter may add to from any thread (the source is process-wide: other tests' servers end spans too).</summary>
    private sealed class LockedList<T> : ICollection<T>
    {
        private readonly Lock _lock = new();
        private readonly List<T> _items = [];

        public int Count
        {
            get
            {
                lock (_lock)
                {
                    return _items.Count;
                }
            }
        }

        public bool IsReadOnly => false;

        public void Add(T item)
        {
            lock (_lock)
            {
                _items.Add(item);
            }
        }

        public void Clear()
        {
            lock (_lock)
            {
                _items.Clear();
            }
        }

        public bool Contains(T item)
        {
            lock (_lock)
            {
                return _items.Contains(item);
            }
        }

        public void CopyTo(T[] array, int arrayIndex)
        {
            lock (_lock)
            {
                _items.CopyTo(array, arrayIndex);
            }
        }

        public bool Remove(T item)
        {
            lock (_lock)
            {
                return _items.Remove(item);
            }
        }

        public IEnumerator<T> GetEnumerator()
        {
            lock (_lock)
            {
                return _items.ToList().GetEnumerator();
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private static ReloadingInjectorSource RealInjector() =>
        new(new ConfigSources(), TimeSpan.FromHours(1), NullLogger<ReloadingInjectorSource>.Instance);

    private static string Review(string ns)
    {
        var review = JsonNode.Parse(Reviews.Pod())!;
        review["request"]!["namespace"] = ns;
        var metadata = review["request"]!["object"]!["metadata"]!.AsObject();
        metadata["generateName"] = "web-7d4f9-";
        metadata["labels"] = new JsonObject { ["app"] = "web", ["pod-template-hash"] = "7d4f9" };
        metadata["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "ReplicaSet", ["name"] = "web-7d4f9", ["uid"] = "rs-1", ["controller"] = true });
        review["request"]!["object"]!["spec"]!["containers"]![0]!["image"] = "registry.example/web:1";
        return review.ToJsonString();
    }
}
