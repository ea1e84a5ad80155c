namespace Injector.Core.Platform;

/// <summary>
/// Reads a namespace's annotations. On OpenShift the proxy's UID and GID come from the namespace's
/// <c>openshift.io/sa.scc.*</c> ranges; the webhook reads them from the API server, the CLI from flags.
/// </summary>
public interface INamespaceAnnotations
{
    /// <summary>The annotations, or null when the namespace is unknown or cannot be read.</summary>
    IReadOnlyDictionary<string, string>? Get(string @namespace);
}

/// <summary>Namespace annotations given up front (CLI flags, tests); the same for every namespace.</summary>
public sealed class FixedNamespaceAnnotations(IReadOnlyDictionary<string, string> annotations) : INamespaceAnnotations
{
    public IReadOnlyDictionary<string, string>? Get(string @namespace) => annotations;
}
