namespace Injector.Core;

/// <summary>The one seam every door calls: the webhook handler, the CLI and the tests drive the same code through it.</summary>
public interface IPodInjector
{
    InjectionResult Inject(InjectionRequest request);
}

/// <summary>Hands out the injector built from the configuration in force; swapped whole when the configuration is reloaded.</summary>
public interface IPodInjectorSource
{
    IPodInjector Current { get; }
}
