using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Injector.Benchmarks;

/// <summary>
/// <c>Injector.Benchmarks [micro] [BenchmarkDotNet args]</c> runs the micro benchmarks;
/// <c>Injector.Benchmarks load [--requests N] [--concurrency C] [--seconds S] [--json FILE]</c> runs the TLS load test;
/// <c>Injector.Benchmarks ceiling --port P --tls-cert C --tls-key K</c> serves the stack's ceiling for <c>make load</c>;
/// <c>Injector.Benchmarks handler [--distinct] [--disabled] [--no-memo] [--seconds S]</c> loops the webhook's handler.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "load")
        {
            return await LoadTest.RunAsync(args[1..]).ConfigureAwait(false);
        }

        if (args.Length > 0 && args[0] == "ceiling")
        {
            return await CeilingServer.RunAsync(args[1..]).ConfigureAwait(false);
        }

        if (args.Length > 0 && args[0] == "handler")
        {
            return await HandlerLoop.RunAsync(args[1..]).ConfigureAwait(false);
        }

        if (args.Length > 0 && args[0] == "profile")
        {
            return ProfileLoop.Run(args[1..]);
        }

        var rest = args.Length > 0 && args[0] == "micro" ? args[1..] : args;
        if (!rest.Any(a => a is "--filter" or "-f" or "--list" or "--help" or "-h"))
        {
            // Without a filter BenchmarkSwitcher asks interactively; run everything instead.
            rest = [.. rest, "--filter", "*"];
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest, MicroConfig());
        return 0;
    }

    /// <summary>
    /// A short job (1 launch, 3 warm-up and 10 measured iterations) run in process: a full run takes a few minutes on
    /// 2 cores, and it does not generate and rebuild a separate project (which the repository's warnings-as-errors
    /// analyzers would also apply to).
    /// </summary>
    private static ManualConfig MicroConfig()
    {
        var job = Job.ShortRun
            .WithIterationCount(10)
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithId("Short");
        return ManualConfig.Create(DefaultConfig.Instance).AddJob(job);
    }
}
