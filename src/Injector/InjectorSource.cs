using Injector.Core;

namespace Injector;

/// <summary>The injector built once from the configuration given on the command line.</summary>
internal sealed class FixedInjectorSource(IPodInjector injector) : IPodInjectorSource
{
    public IPodInjector Current { get; } = injector;
}
