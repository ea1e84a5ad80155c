using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Injector.Core;
using Injector.Core.Config;
using Injector.Webhook.Console;

namespace Injector.Webhook.Tests;

/// <summary>
/// The console listener (<c>--console-address</c>): its JSON API answers explain, inject preview and config on its own
/// plain-HTTP port, and nothing else is served there; the API is not served on the webhook or health ports.
/// </summary>
public sealed class ConsoleApiTests
{
    private sealed class Fixed(IPodInjector injector) : IPodInjectorSource
    {
        public IPodInjector Current => injector;
    }

    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: web
                image: web:1
        """;

    private static async Task<(RunningServer Server, HttpClient Console)> StartAsync()
    {
        var webhook = ManifestExplainer.WebhookConfiguration(File.ReadAllText(Path.Combine(Repository.Root, "manifests", "base", "mutatingwebhook.yaml")));
        var server = await RunningServer.StartAsync(
            new Fixed(new PodInjector(SettingsLoader.Defaults())),
            configure: o => o with { HealthPort = 0, ConsoleAddress = "127.0.0.1", ConsolePort = 0, WebhookConfiguration = webhook });
        var console = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{WebhookServer.GetConsolePort(server.App)}/"), Timeout = TimeSpan.FromSeconds(15) };
        return (server, console);
    }

    [Theory]
    [InlineData("istio-injection", "enabled", "injected", "policy-enabled")]
    [InlineData("istio-injection", "disabled", "not-called", "webhook-selectors")]
    [InlineData("istio.io/rev", "default", "injected", "policy-enabled")]
    public async Task Explain_answers_with_the_outcome_reason_and_steps(string label, string value, string outcome, string reason)
    {
        var (server, console) = await StartAsync();
        await using var _ = server;
        using var __ = console;

        using var response = await console.PostAsJsonAsync("api/v1/explain", new { manifest = Deployment, namespaceLabels = new Dictionary<string, string> { [label] = value } }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var explanation = Assert.Single((await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["explanations"]!.AsArray())!;
        Assert.Equal("shop/web-", explanation["pod"]!.ToString());
        Assert.Equal(outcome, explanation["outcome"]!.ToString());
        Assert.Equal(reason, explanation["reason"]!.ToString());
        Assert.Equal("webhook", explanation["steps"]![0]!["check"]!.ToString());
    }

    [Fact]
    public async Task Inject_previews_the_manifest_and_config_says_what_is_in_force()
    {
        var (server, console) = await StartAsync();
        await using var _ = server;
        using var __ = console;

        using var injected = await console.PostAsJsonAsync("api/v1/inject", new { manifest = Deployment }, TestContext.Current.CancellationToken);
        var preview = (await injected.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!;
        Assert.Contains("name: istio-proxy", preview["output"]!.ToString(), StringComparison.Ordinal);
        using var denied = await console.PostAsJsonAsync("api/v1/inject", new { manifest = Deployment.Replace("metadata: {labels: {app: web}}", "metadata: {labels: {app: web}, annotations: {traffic.sidecar.istio.io/includeInboundPorts: \"x\"}}", StringComparison.Ordinal) }, TestContext.Current.CancellationToken);
        Assert.Equal("invalid-annotation", (await denied.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["denied"]!["reason"]!.ToString());

        var config = await console.GetFromJsonAsync<JsonObject>("api/v1/config", TestContext.Current.CancellationToken);
        Assert.Equal("default", config!["revision"]!.ToString());
        Assert.Equal("enabled", config["policy"]!.ToString());
        Assert.Contains(config["templates"]!.AsArray(), t => t!.ToString() == "gateway");
    }

    [Fact]
    public async Task Annotate_writes_valid_settings_into_every_pod_template_and_refuses_invalid_ones_by_name()
    {
        var (server, console) = await StartAsync();
        await using var _ = server;
        using var __ = console;

        using var ok = await console.PostAsJsonAsync("api/v1/annotate", new { manifest = Deployment, annotations = new Dictionary<string, string?> { ["sidecar.istio.io/proxyCPU"] = "250m", ["sidecar.istio.io/logLevel"] = null } }, TestContext.Current.CancellationToken);
        var manifest = (await ok.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["manifest"]!.ToString();
        var template = Injector.Documents.GoYaml.ParseAll(manifest)[0]!["spec"]!["template"]!;
        Assert.Equal("250m", template["metadata"]!["annotations"]!["sidecar.istio.io/proxyCPU"]!.ToString());

        using var bad = await console.PostAsJsonAsync("api/v1/annotate", new { manifest = Deployment, annotations = new Dictionary<string, string> { ["traffic.sidecar.istio.io/excludeInboundPorts"] = "*" } }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.Contains("'traffic.sidecar.istio.io/excludeInboundPorts'", (await bad.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["error"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decisions_list_admissions_newest_first_without_pod_contents()
    {
        var (server, console) = await StartAsync();
        await using var _ = server;
        using var __ = console;
        using var webhook = server.Client();
        foreach (var name in new[] { "first", "second" })
        {
            var review = """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"NAME","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"namespace":"shop","dryRun":true,"object":{"metadata":{"name":"NAME"},"spec":{"containers":[{"name":"app","image":"secret-image:1"}]}}}}""";
            using var content = new StringContent(review.Replace("NAME", name, StringComparison.Ordinal));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var answer = await webhook.PostAsync("/inject", content, TestContext.Current.CancellationToken);
            answer.EnsureSuccessStatusCode();
        }

        var text = await console.GetStringAsync("api/v1/decisions", TestContext.Current.CancellationToken);
        var decisions = JsonNode.Parse(text)!["decisions"]!.AsArray();
        Assert.Equal(["second", "first"], decisions.Select(d => d!["pod"]!.ToString()));
        Assert.All(decisions, d => Assert.True(d!["dryRun"]!.GetValue<bool>()));
        Assert.Equal("policy-enabled", decisions[0]!["reason"]!.ToString());
        Assert.DoesNotContain("secret-image", text, StringComparison.Ordinal);
        Assert.Equal(RecentDecisions.Capacity, JsonNode.Parse(text)!["capacity"]!.GetValue<int>());
    }

    [Fact]
    public void The_decision_ring_keeps_only_the_newest()
    {
        var ring = new RecentDecisions();
        for (var i = 0; i < RecentDecisions.Capacity + 5; i++)
        {
            ring.Record(new Decision(DateTimeOffset.UnixEpoch, "ns", $"p{i}", "Injected", "policy-enabled", 1, false));
        }

        var snapshot = ring.Snapshot();
        Assert.Equal(RecentDecisions.Capacity, snapshot.Count);
        Assert.Equal($"p{RecentDecisions.Capacity + 4}", snapshot[0].Pod);
        Assert.Equal("p5", snapshot[^1].Pod);
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_a_message()
    {
        var (server, console) = await StartAsync();
        await using var _ = server;
        using var __ = console;

        using var notJson = await console.PostAsync("api/v1/explain", new StringContent("{manifest", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Contains("with a \\\"manifest\\\" string", await notJson.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        using var badYaml = await console.PostAsJsonAsync("api/v1/explain", new { manifest = "a: [1" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, badYaml.StatusCode);
        Assert.Contains("does not parse", await badYaml.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        using var huge = await console.PostAsync("api/v1/explain", new StringContent(new string('x', ConsoleApi.MaxBodyBytes + 1), Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
    }

    [Fact]
    public async Task Hostile_requests_are_refused_without_work()
    {
        var (server, console) = await StartAsync();
        await using var _ = server;
        using var __ = console;
        var ct = TestContext.Current.CancellationToken;

        // A cross-origin page can only send "simple" content types: refused.
        using var plain = await console.PostAsync("api/v1/explain", new StringContent("""{"manifest": "a: 1"}""", Encoding.UTF8, "text/plain"), ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);

        // DNS rebinding: another name in Host.
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "api/v1/config");
        rebound.Headers.Host = "evil.example";
        Assert.Equal(HttpStatusCode.Forbidden, (await console.SendAsync(rebound, ct)).StatusCode);

        // More pods than a preview holds.
        var many = "apiVersion: v1\nkind: List\nitems:\n" + string.Concat(Enumerable.Repeat("- {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: a, image: a}]}}\n", ConsoleApi.MaxPods + 1));
        using var tooMany = await console.PostAsJsonAsync("api/v1/inject", new { manifest = many }, ct);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains($"more than {ConsoleApi.MaxPods} pods", await tooMany.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

        // Aliases that would expand to a hundred thousand pods.
        var bomb = "a: &a {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: a, image: a}]}}\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nkind: List\nitems: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
        foreach (var path in new[] { "api/v1/explain", "api/v1/inject", "api/v1/annotate" })
        {
            using var answer = await console.PostAsJsonAsync(path, new { manifest = bomb, annotations = new Dictionary<string, string>() }, ct);
            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        }

        // A field of the wrong type in a workload.
        using var shape = await console.PostAsJsonAsync("api/v1/explain", new { manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: 1\n" }, ct);
        Assert.Equal(HttpStatusCode.BadRequest, shape.StatusCode);
        Assert.Contains("spec: want a map", await shape.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

        // The server is still well.
        Assert.Equal(HttpStatusCode.OK, (await console.GetAsync("api/v1/config", ct)).StatusCode);
    }

    [Fact]
    public async Task The_console_port_serves_only_the_console_and_the_other_ports_not_the_console()
    {
        var (server, console) = await StartAsync();
        await using var _ = server;
        using var __ = console;
        using var webhook = server.Client();
        using var health = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.HealthPort}/") };

        Assert.Equal(HttpStatusCode.NotFound, (await console.GetAsync("healthz", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await console.PostAsync("inject", new StringContent("{}"), TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await webhook.GetAsync("api/v1/config", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await webhook.GetAsync("/", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await health.GetAsync("console/console.js", TestContext.Current.CancellationToken)).StatusCode);
        using var page = await console.GetAsync("/", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await console.GetAsync("console/nothing.js", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await health.GetAsync("api/v1/config", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await health.GetAsync("healthz", TestContext.Current.CancellationToken)).StatusCode);
    }
}
