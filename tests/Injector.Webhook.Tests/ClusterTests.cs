using System.Net;
using System.Text;
using Injector.Core.Platform;
using Injector.Webhook.Cluster;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Injector.Webhook.Tests;

/// <summary>Reading the cluster with KubernetesClient, against a small fake API server on 127.0.0.1.</summary>
public sealed class ClusterTests : IAsyncLifetime
{
    private WebApplication? _api;
    private int _namespaceReads;

    public IKubernetes Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _api = builder.Build();
        _api.MapGet("/api/v1/namespaces/{name}", (string name) =>
        {
            Interlocked.Increment(ref _namespaceReads);
            return name == "test-ns"
                ? Results.Text("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"test-ns","annotations":{"openshift.io/sa.scc.uid-range":"1000620000/10000","openshift.io/sa.scc.supplemental-groups":"1000620000/10000"}}}""", "application/json", Encoding.UTF8)
                : Results.Text("""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}""", "application/json", Encoding.UTF8, (int)HttpStatusCode.NotFound);
        });
        _api.MapGet("/api/v1/nodes", () => Results.Text(
            """{"apiVersion":"v1","kind":"NodeList","items":[{"metadata":{"name":"node-1"},"status":{"nodeInfo":{"kubeletVersion":"v1.33.0"}}},{"metadata":{"name":"node-2"},"status":{"nodeInfo":{"kubeletVersion":"v1.34.1"}}}]}""",
            "application/json",
            Encoding.UTF8));
        await _api.StartAsync();
        var url = _api.Urls.First();
        Client = new Kubernetes(new KubernetesClientConfiguration { Host = url });
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }
    }

    [Fact]
    public async Task OpenShift_ranges_come_from_the_namespace_and_are_cached()
    {
        var namespaces = new ClusterNamespaceAnnotations(Client, NullLogger<ClusterNamespaceAnnotations>.Instance);

        var first = await namespaces.GetAsync("test-ns", TestContext.Current.CancellationToken);
        var second = await namespaces.GetAsync("test-ns", TestContext.Current.CancellationToken);

        Assert.Equal((1000629999L, 1000629999L), OpenShiftIds.Resolve(first));
        Assert.Same(first, second);
        Assert.Equal(1, _namespaceReads);
    }

    [Fact]
    public async Task An_unreadable_namespace_is_unknown_and_the_default_ids_apply()
    {
        var namespaces = new ClusterNamespaceAnnotations(Client, NullLogger<ClusterNamespaceAnnotations>.Instance);

        var annotations = await namespaces.GetAsync("missing", TestContext.Current.CancellationToken);

        Assert.Null(annotations);
        Assert.Equal((1337L, 1337L), OpenShiftIds.Resolve(annotations));
    }

    [Fact]
    public async Task Native_sidecars_are_detected_from_the_nodes()
    {
        Assert.True(await NativeSidecarDetection.DetectAsync(Client, TestContext.Current.CancellationToken));
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
