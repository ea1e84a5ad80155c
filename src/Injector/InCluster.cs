using Injector.Webhook.Cluster;

namespace Injector;

/// <summary>The Kubernetes API, when the injector runs inside a cluster (service-account token mounted).</summary>
internal static class InCluster
{
    public static KubeApi? Client() => KubeApi.InCluster();
}
