namespace Injector.Core;

/// <summary>The one seam every door calls: the webhook handler, the CLI and the tests drive the same code through it.</summary>
public interface IPodInjector
{
    /// <summary>Whether <see cref="InjectionRequest.NamespaceAnnotations"/> matter (OpenShift proxy IDs), so a caller reads them only then.</summary>
    bool ReadsNamespaceAnnotations { get; }

    /// <summary>The revision this injector serves (<c>values.revision</c>, "default" when unset); logs and metric labels carry it.</summary>
    string Revision => "default";

    /// <summary>
    /// Injects one pod. Never throws: every failure is a <see cref="InjectionResult.Denied"/> with a named reason,
    /// including <paramref name="cancellationToken"/> firing (the request's deadline), which stops the work.
    /// </summary>
    InjectionResult Inject(InjectionRequest request, CancellationToken cancellationToken = default);
}

/// <summary>Hands out the injector built from the configuration in force; swapped whole when the configuration is reloaded.</summary>
public interface IPodInjectorSource
{
    IPodInjector Current { get; }
}
