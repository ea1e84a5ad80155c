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

/// <summary>A namespace's labels (what a webhook's namespaceSelector sees), for the console's explain in a cluster.</summary>
public interface INamespaceLabels
{
    /// <summary>The labels, or null when the namespace is unknown or cannot be read in time.</summary>
    ValueTask<IReadOnlyDictionary<string, string>?> GetLabelsAsync(string @namespace, CancellationToken cancellationToken);
}
