using Injector.Core.Policy;

namespace Injector.Core;

/// <summary>A pod that cannot be injected; the message is what the webhook denies with and the CLI prints.</summary>
public sealed class InjectionException(DenialReason reason, string message, Exception? inner = null) : Exception(message, inner)
{
    public DenialReason Reason { get; } = reason;
}
