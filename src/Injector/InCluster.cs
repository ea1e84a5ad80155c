using k8s;

namespace Injector;

/// <summary>The Kubernetes API, when the injector runs inside a cluster (service-account token mounted).</summary>
internal static class InCluster
{
    public static IKubernetes? Client() =>
        KubernetesClientConfiguration.IsInCluster() ? new Kubernetes(KubernetesClientConfiguration.InClusterConfig()) : null;
}
