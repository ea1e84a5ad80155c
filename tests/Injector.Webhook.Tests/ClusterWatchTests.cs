using System.Net;
using System.Text.Json.Nodes;
using Injector.Core;
using Injector.Webhook.Cluster;
using Microsoft.Extensions.Logging.Abstractions;

namespace Injector.Webhook.Tests;

/// <summary>The node and namespace watches against the fake API server: live native-sidecar mode, relists, readiness.</summary>
public sealed class ClusterWatchTests : IAsyncLifetime
{
    private FakeApiServer _api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        _api.PutNode("node-1", "v1.33.0");
        _api.PutNode("node-2", "v1.34.1");
        _api.PutNamespace("apps", annotations: new JsonObject { ["openshift.io/sa.scc.uid-range"] = "1000620000/10000" });
    }

    public async ValueTask DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_node_with_an_old_kubelet_switches_the_injector_to_classic_sidecars_and_back_when_it_leaves()
    {
        using var source = new ReloadingInjectorSource(new ConfigSources(NativeSidecars: false), TimeSpan.FromHours(1), NullLogger<ReloadingInjectorSource>.Instance);
        await using var watches = new ClusterWatches(new ClusterOptions(_api.Client, WatchNodes: true), NullLoggerFactory.Instance);
        watches.NativeSidecarsChanged += native => source.SetNativeSidecars(native);
        watches.Start();

        await Eventually.True(() => Native(source) == true && _api.OpenWatches("nodes") == 1, "every kubelet is 1.33+: native sidecars");
        Assert.True(InjectsNative(source));

        _api.PutNode("node-3", "v1.32.4");
        await Eventually.True(() => Native(source) == false, "node-3 runs kubelet 1.32: classic sidecars");
        Assert.False(InjectsNative(source));

        _api.DeleteNode("node-3");
        await Eventually.True(() => Native(source) == true, "node-3 left: native again");

        // One list, then the watch: a node change costs no new list.
        Assert.Equal(1, NodeLists());
    }

    [Fact]
    public void A_node_change_while_the_files_are_refused_rebuilds_the_configuration_in_force()
    {
        var mesh = Path.Combine(Path.GetTempPath(), $"mesh-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(mesh, "defaultConfig:\n  concurrency: 3\n");
        try
        {
            using var source = new ReloadingInjectorSource(new ConfigSources(MeshFile: mesh, NativeSidecars: false), TimeSpan.FromHours(1), NullLogger<ReloadingInjectorSource>.Instance);
            File.WriteAllText(mesh, "defaultConfig: [unclosed\n");
            Assert.False(source.TryReload());

            Assert.True(source.SetNativeSidecars(true));

            Assert.True(Native(source));
            Assert.True(InjectsNative(source));
            Assert.Equal(2, source.Generation);
        }
        finally
        {
            File.Delete(mesh);
        }
    }

    [Fact]
    public async Task An_expired_watch_is_listed_again_and_followed_on()
    {
        await using var watches = new ClusterWatches(new ClusterOptions(_api.Client, WatchNodes: true), NullLoggerFactory.Instance);
        watches.Start();
        await Eventually.True(() => watches.NativeSidecars == true && _api.OpenWatches("nodes") == 1, "synced and watching");
        var lists = NodeLists();

        _api.ExpireWatches();
        await Eventually.True(() => NodeLists() == lists + 1 && _api.OpenWatches("nodes") == 1, "listed again after 410 Gone");
        _api.PutNode("node-9", "v1.30.0");

        await Eventually.True(() => watches.NativeSidecars == false, "the new watch sees node-9");
    }

    [Fact]
    public async Task A_watch_the_server_closes_is_resumed_from_the_last_version_without_a_new_list()
    {
        await using var watches = new ClusterWatches(new ClusterOptions(_api.Client, WatchNodes: true, WatchNamespaces: false), NullLoggerFactory.Instance);
        watches.Start();
        await Eventually.True(() => watches.NativeSidecars == true && _api.OpenWatches("nodes") == 1, "synced and watching");
        _api.PutNode("node-2", "v1.34.2");
        await Eventually.True(() => watches.Nodes!.Items["node-2"] == "v1.34.2", "a change on the first watch");

        // The server ends the watch (its timeout); a node joins before the client watches again.
        _api.CloseWatches();
        _api.PutNode("node-old", "v1.31.0");

        await Eventually.True(() => watches.NativeSidecars == false, "the change made between the watches is replayed");
        Assert.Equal(1, NodeLists());
        Assert.Contains(_api.Requests, r => r.Contains("watch=true", StringComparison.Ordinal) && r.Contains("resourceVersion=", StringComparison.Ordinal) && !r.Contains("resourceVersion=&", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_large_list_comes_in_pages_and_is_watched_from_its_version()
    {
        for (var i = 0; i < 1_234; i++)
        {
            _api.PutNamespace($"ns-{i:D4}");
        }

        await using var watches = new ClusterWatches(new ClusterOptions(_api.Client, WatchNodes: false), NullLoggerFactory.Instance);
        watches.Start();
        await Eventually.True(() => watches.Namespaces!.Synced && _api.OpenWatches("namespaces") == 1, "namespaces listed and watched");

        // Every namespace (and the fixture's own) in pages of 500: three pages, each asked with the previous token.
        Assert.InRange(watches.Namespaces!.Items.Count, 1_234, 1_240);
        Assert.Contains("ns-1233", watches.Namespaces.Items.Keys);
        Assert.Equal(3, _api.ListPages);
        Assert.Contains(_api.Requests, r => r.StartsWith("GET /api/v1/namespaces?limit=500&continue=1000", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Namespace_annotations_come_from_the_watch_without_a_read_per_pod()
    {
        await using var watches = new ClusterWatches(new ClusterOptions(_api.Client, WatchNodes: false), NullLoggerFactory.Instance);
        var namespaces = new ClusterNamespaceAnnotations(_api.Client, NullLogger<ClusterNamespaceAnnotations>.Instance, watch: watches.Namespaces);
        watches.Start();
        await Eventually.True(() => watches.Namespaces!.Synced && _api.OpenWatches("namespaces") == 1, "namespaces listed and watched");

        var first = await namespaces.GetAsync("apps", Ct);
        _api.PutNamespace("apps", labels: new JsonObject { ["istio-injection"] = "enabled" }, annotations: new JsonObject { ["openshift.io/sa.scc.uid-range"] = "1000990000/10000" });
        await Eventually.True(() => watches.Namespaces!.Items["apps"].Annotations["openshift.io/sa.scc.uid-range"] == "1000990000/10000", "the update is seen");
        var labels = await namespaces.GetLabelsAsync("apps", Ct);

        Assert.Equal("1000620000/10000", first!["openshift.io/sa.scc.uid-range"]);
        Assert.Equal("enabled", labels!["istio-injection"]);
        Assert.DoesNotContain(_api.Requests, r => r.StartsWith("GET /api/v1/namespaces/apps", StringComparison.Ordinal));

        // A namespace the watch has not delivered yet is read directly.
        _api.PutNamespace("brand-new");
        Assert.NotNull(await namespaces.GetLabelsAsync("brand-new", Ct) ?? await namespaces.GetLabelsAsync("brand-new", Ct));
    }

    [Fact]
    public async Task Readiness_waits_for_the_first_node_list_within_its_grace_and_never_for_namespaces()
    {
        // Nothing listens on this port: the lists fail and are retried.
        using var unreachable = new KubeApi(new Uri("http://127.0.0.1:1"));
        await using (var server = await RunningServer.StartAsync(
            _ => new FakeInjector(),
            configure: o => o with { HealthPort = 0 },
            cluster: new ClusterOptions(unreachable, WatchNodes: true) { NodeListGrace = TimeSpan.FromSeconds(5) }))
        {
            using var health = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.HealthPort}/") };
            using var notReady = await health.GetAsync("/readyz", Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            Assert.Equal("the nodes are not listed yet (--native-sidecars auto)", await notReady.Content.ReadAsStringAsync(Ct));

            // Past the grace the webhook answers with classic sidecars rather than keep every replica unready.
            await Eventually.True(async () => (await health.GetAsync("/readyz", Ct)).StatusCode == HttpStatusCode.OK, "ready after the grace");
        }

        await using (var namespacesOnly = await RunningServer.StartAsync(
            _ => new FakeInjector(),
            configure: o => o with { HealthPort = 0 },
            cluster: new ClusterOptions(unreachable, WatchNodes: false)))
        {
            using var health = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{namespacesOnly.HealthPort}/") };
            using var ready = await health.GetAsync("/readyz", Ct);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        await using var synced = await RunningServer.StartAsync(
            _ => new FakeInjector(),
            configure: o => o with { HealthPort = 0 },
            cluster: new ClusterOptions(_api.Client, WatchNodes: true) { NodeListGrace = TimeSpan.FromMinutes(5) });
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{synced.HealthPort}/") };
        await Eventually.True(async () => (await client.GetAsync("/readyz", Ct)).StatusCode == HttpStatusCode.OK, "ready once the nodes are listed");
    }

    [Fact]
    public async Task A_node_status_update_that_keeps_the_kubelet_version_changes_nothing()
    {
        await using var watches = new ClusterWatches(new ClusterOptions(_api.Client, WatchNodes: true, WatchNamespaces: false), NullLoggerFactory.Instance);
        var changes = 0;
        watches.Nodes!.Changed += _ => Interlocked.Increment(ref changes);
        watches.Start();
        await Eventually.True(() => watches.NativeSidecars == true && _api.OpenWatches("nodes") == 1, "synced and watching");
        var before = Volatile.Read(ref changes);

        _api.PutNode("node-1", "v1.33.0");
        _api.PutNode("node-2", "v1.35.0");
        await Eventually.True(() => watches.Nodes.Items["node-2"] == "v1.35.0", "the real change is seen");

        Assert.Equal(before + 1, Volatile.Read(ref changes));
    }

    private int NodeLists() => _api.Requests.Count(r => r.StartsWith("GET /api/v1/nodes", StringComparison.Ordinal) && !r.Contains("watch=true", StringComparison.Ordinal));

    private static bool? Native(ReloadingInjectorSource source) => (source.Current as PodInjector)?.Settings.NativeSidecars;

    /// <summary>Whether a real injection puts istio-proxy among the init containers (a native sidecar).</summary>
    private static bool InjectsNative(ReloadingInjectorSource source)
    {
        var pod = JsonNode.Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"apps"},"spec":{"containers":[{"name":"app","image":"app"}]}}""")!.AsObject();
        var result = Assert.IsType<InjectionResult.Injected>(source.Current.Inject(new InjectionRequest(pod, "apps", InjectionDoor.Cli, [])));
        var inInit = result.Pod["spec"]!["initContainers"]!.AsArray().Any(c => c!["name"]!.GetValue<string>() == "istio-proxy");
        var inContainers = result.Pod["spec"]!["containers"]!.AsArray().Any(c => c!["name"]!.GetValue<string>() == "istio-proxy");
        Assert.NotEqual(inInit, inContainers);
        return inInit;
    }
}
