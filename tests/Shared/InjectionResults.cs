using Injector.Core;

namespace Injector.Testing;

/// <summary>Unwraps the core's closed result in tests: the expected case, or a failure that says what came instead.</summary>
internal static class InjectionResults
{
    public static InjectionResult.Injected Injected(this InjectionResult result) => result as InjectionResult.Injected
        ?? throw new Xunit.Sdk.XunitException($"expected an injected pod, got {Describe(result)}");

    public static InjectionResult.Denied Denied(this InjectionResult result) => result as InjectionResult.Denied
        ?? throw new Xunit.Sdk.XunitException($"expected a denial, got {Describe(result)}");

    public static InjectionResult.Skipped Skipped(this InjectionResult result) => result as InjectionResult.Skipped
        ?? throw new Xunit.Sdk.XunitException($"expected a skip, got {Describe(result)}");

    public static string Describe(InjectionResult result) => result switch
    {
        InjectionResult.Denied d => $"denied ({d.Code}): {d.Message}{(d.Cause is null ? "" : "\n" + d.Cause)}",
        InjectionResult.Skipped s => $"skipped ({s.Code})",
        InjectionResult.Injected i => $"injected ({i.Code})",
        _ => result.GetType().Name,
    };
}
