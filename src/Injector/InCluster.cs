using Injector.Webhook.Cluster;
using k8s;

namespace Injector;

/// <summary>The Kubernetes API, when the injector runs inside a cluster (service-account token mounted).</summary>
internal static class InCluster
{
    public static IKubernetes? Client() =>
        KubernetesClientConfiguration.IsInCluster() ? new Kubernetes(KubernetesClientConfiguration.InClusterConfig()) : null;

    public static async Task<bool> NativeSidecarsAsync(IKubernetes client, CancellationToken ct)
    {
        try
        {
            return await NativeSidecarDetection.DetectAsync(client, ct);
        }
        catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException or TaskCanceledException)
        {
            Console.Error.WriteLine($"warning: cannot list nodes ({e.Message}); native sidecars disabled");
            return false;
        }
    }
}
