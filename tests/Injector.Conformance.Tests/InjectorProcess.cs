using System.Diagnostics;

namespace Injector.Conformance.Tests;

/// <summary>
/// How the tests start the real <c>injector</c>: the built <c>injector.dll</c> under <c>dotnet</c>, or, when
/// <c>INJECTOR_BINARY</c> names one, that executable (<c>make aot-test</c> runs these tests on the Native AOT build).
/// </summary>
internal static class InjectorProcess
{
    /// <summary>The executable under test, when it is not the built dll.</summary>
    public static string? Binary => Environment.GetEnvironmentVariable("INJECTOR_BINARY") is { Length: > 0 } binary ? Path.GetFullPath(binary) : null;

    public static ProcessStartInfo Start(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Binary ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Binary is null)
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "injector.dll"));
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }
}
