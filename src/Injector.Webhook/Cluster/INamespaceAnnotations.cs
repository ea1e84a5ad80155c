namespace Injector.Webhook.Cluster;

/// <summary>
/// Reads a namespace's annotations for the handler, which passes them to the core (on OpenShift the proxy's UID and
/// GID come from the namespace's <c>openshift.io/sa.scc.*</c> ranges). Asynchronous and cached: the core never waits
/// on the network.
/// </summary>
public interface INamespaceAnnotations
{
    /// <summary>The annotations, or null when the namespace is unknown or cannot be read in time.</summary>
    ValueTask<IReadOnlyDictionary<string, string>?> GetAsync(string @namespace, CancellationToken cancellationToken);
}
