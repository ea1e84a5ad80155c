using System.Text;
using Injector.Core.Platform;
using Injector.Webhook.Cluster;
using Microsoft.Extensions.Logging.Abstractions;

namespace Injector.Webhook.Tests;

/// <summary>Reading the cluster with our API client, against a small fake API server on 127.0.0.1.</summary>
public sealed class ClusterTests : IAsyncLifetime
{
    private FakeApiServer _api = null!;

    public KubeApi Client => _api.Client;

    /// <summary>How many times the namespace was read directly (GET), not through a watch.</summary>
    private int NamespaceReads => _api.Requests.Count(r => r.StartsWith("GET /api/v1/namespaces/test-ns", StringComparison.Ordinal));

    public async ValueTask InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        _api.PutNamespace(
            "test-ns",
            labels: new System.Text.Json.Nodes.JsonObject { ["istio-injection"] = "enabled", ["kubernetes.io/metadata.name"] = "test-ns" },
            annotations: new System.Text.Json.Nodes.JsonObject { ["openshift.io/sa.scc.uid-range"] = "1000620000/10000", ["openshift.io/sa.scc.supplemental-groups"] = "1000620000/10000" });
    }

    public async ValueTask DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task OpenShift_ranges_come_from_the_namespace_and_are_cached()
    {
        var namespaces = new ClusterNamespaceAnnotations(Client, NullLogger<ClusterNamespaceAnnotations>.Instance);

        var first = await namespaces.GetAsync("test-ns", TestContext.Current.CancellationToken);
        var second = await namespaces.GetAsync("test-ns", TestContext.Current.CancellationToken);

        Assert.Equal((1000629999L, 1000629999L), OpenShiftIds.Resolve(first));
        Assert.Same(first, second);
        Assert.Equal(1, NamespaceReads);
    }

    [Fact]
    public async Task Labels_come_with_the_same_read()
    {
        var namespaces = new ClusterNamespaceAnnotations(Client, NullLogger<ClusterNamespaceAnnotations>.Instance);

        await namespaces.GetAsync("test-ns", TestContext.Current.CancellationToken);
        var labels = await namespaces.GetLabelsAsync("test-ns", TestContext.Current.CancellationToken);

        Assert.Equal("enabled", labels!["istio-injection"]);
        Assert.Equal(1, NamespaceReads);
        Assert.Null(await namespaces.GetLabelsAsync("missing", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_consoles_explain_reads_the_namespaces_labels_from_the_cluster_when_none_are_given()
    {
        var webhook = Console.ManifestExplainer.WebhookConfiguration(File.ReadAllText(Path.Combine(Repository.Root, "manifests", "base", "mutatingwebhook.yaml")));
        await using var server = await RunningServer.StartAsync(
            _ => new FixedSource(new Core.PodInjector(Core.Config.SettingsLoader.Defaults())),
            configure: o => o with { HealthPort = 0, ConsoleAddress = "127.0.0.1", ConsolePort = 0, WebhookConfiguration = webhook },
            namespaces: _ => new ClusterNamespaceAnnotations(Client, NullLogger<ClusterNamespaceAnnotations>.Instance));
        using var console = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{WebhookServer.GetConsolePort(server.App)}/") };
        static string Outcome(string ns) => new System.Text.Json.Nodes.JsonObject
        {
            ["manifest"] = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"NS"},"spec":{"containers":[{"name":"a","image":"a:1"}]}}""".Replace("NS", ns, StringComparison.Ordinal),
        }.ToJsonString();

        foreach (var (ns, expected) in new[] { ("test-ns", "injected"), ("missing", "not-called") })
        {
            using var content = new StringContent(Outcome(ns), Encoding.UTF8, "application/json");
            using var response = await console.PostAsync("api/v1/explain", content, TestContext.Current.CancellationToken);
            var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
            Assert.Equal(expected, body["explanations"]![0]!["outcome"]!.ToString());
        }
    }

    private sealed class FixedSource(Core.IPodInjector injector) : Core.IPodInjectorSource
    {
        public Core.IPodInjector Current => injector;
    }

    [Fact]
    public async Task An_unreadable_namespace_is_unknown_and_the_default_ids_apply()
    {
        var namespaces = new ClusterNamespaceAnnotations(Client, NullLogger<ClusterNamespaceAnnotations>.Instance);

        var annotations = await namespaces.GetAsync("missing", TestContext.Current.CancellationToken);

        Assert.Null(annotations);
        Assert.Equal((1337L, 1337L), OpenShiftIds.Resolve(annotations));
    }

    [Theory]
    [InlineData(new[] { "v1.33.0", "v1.34.0" }, true)]
    [InlineData(new[] { "v1.33.0", "v1.28.3" }, false)]
    [InlineData(new[] { "v1.34.0-gke.100" }, true)]
    [InlineData(new[] { "garbage" }, false)]
    [InlineData(new string[0], false)]
    public void Every_node_must_run_kubelet_1_33_or_newer(string[] versions, bool expected) =>
        Assert.Equal(expected, NativeSidecarDetection.AllSupport(versions));
}
