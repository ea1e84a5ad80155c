using Injector.Core.Policy;

namespace Injector.Core;

/// <summary>
/// A pod that cannot be injected, thrown inside the core and turned into <see cref="InjectionResult.Denied"/> by
/// <see cref="PodInjector.Inject"/>; it never leaves the core.
/// </summary>
internal sealed class InjectionException(DenialReason reason, string message, Exception? inner = null) : Exception(message, inner)
{
    public DenialReason Reason { get; } = reason;
}
