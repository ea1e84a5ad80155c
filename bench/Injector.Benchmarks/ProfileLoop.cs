using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text;
using System.Text.Json.Nodes;
using Injector.Core;
using Injector.Core.Config;

namespace Injector.Benchmarks;

/// <summary>
/// <c>profile [--pod NAME | --env N | --containers N] [--iterations N]</c>: injects one sample pod in a bounded loop (at most 60 s) and
/// prints the mean time per injection; a steady target for <c>dotnet-trace collect -- …</c> and for quick scaling checks.
/// </summary>
internal static class ProfileLoop
{
    public static int Run(string[] args)
    {
        var pod = SamplePods.Realistic;
        int? env = null;
        int? containers = null;
        var iterations = 500;
        var showPatch = false;
        var distinct = false;
        var label = "load-id";
        for (var i = 0; i < args.Length; i += 2)
        {
            if (args[i] == "--distinct-label" && i + 1 < args.Length)
            {
                // --distinct with another label: "app" is read by the sidecar template, so every pod is rendered.
                distinct = true;
                label = args[i + 1];
                continue;
            }

            if (args[i] == "--distinct")
            {
                distinct = true;
                i--;
                continue;
            }

            if (args[i] == "--show-patch")
            {
                showPatch = true;
                i--;
                continue;
            }

            if (i + 1 >= args.Length)
            {
                Console.Error.WriteLine("usage: Injector.Benchmarks profile [--pod NAME | --env N | --containers N] [--iterations N] [--distinct | --distinct-label NAME] [--show-patch]");
                return 2;
            }

            switch (args[i])
            {
                case "--pod":
                    pod = args[i + 1];
                    break;
                case "--env":
                    env = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--containers":
                    containers = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--iterations":
                    iterations = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                default:
                    Console.Error.WriteLine("usage: Injector.Benchmarks profile [--pod NAME | --env N | --containers N] [--iterations N] [--show-patch]");
                    return 2;
            }
        }

        var sample = env is { } n ? SamplePods.ManyEnvPod(n) : containers is { } c ? SamplePods.ManyContainersPod(c) : SamplePods.Build(pod);
        var bytes = Encoding.UTF8.GetBytes(sample.ToJsonString());
        var injector = new PodInjector(SettingsLoader.Defaults());
        if (showPatch)
        {
            var result = injector.Inject(new InjectionRequest((JsonObject)JsonNode.Parse(bytes)!, "default", InjectionDoor.Webhook, []));
            foreach (var op in (result as InjectionResult.Injected)?.Patch ?? [])
            {
                Console.WriteLine($"  {op?["op"]} {op?["path"]}");
            }
        }

        var limit = Stopwatch.StartNew();
        var patchBytes = 0;
        for (var i = 0; i < Math.Min(iterations, 20); i++)
        {
            patchBytes = Once(injector, bytes);
        }

        // Exceptions thrown (and caught) on the request path are expensive; count them per injection.
        var thrown = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        void Count(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e) =>
            thrown.AddOrUpdate($"{e.Exception.GetType().Name} from {e.Exception.TargetSite?.DeclaringType?.Name}.{e.Exception.TargetSite?.Name}", 1, (_, c) => c + 1);
        AppDomain.CurrentDomain.FirstChanceException += Count;
        Once(injector, bytes);
        AppDomain.CurrentDomain.FirstChanceException -= Count;
        foreach (var (site, count) in thrown.OrderByDescending(p => p.Value))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {count} first-chance exception(s) per injection: {site}"));
        }

        // --distinct: a new label value each injection, as a Deployment's pods differ after a change of their template
        // (the template renders afresh each time; without it the render cache answers).
        var distinctPods = distinct ? Enumerable.Range(0, Math.Min(iterations, 100_000)).Select(i =>
        {
            var copy = (JsonObject)sample.DeepClone();
            var metadata = (JsonObject)copy["metadata"]!;
            if (metadata["labels"] is not JsonObject labels)
            {
                labels = [];
                metadata["labels"] = labels;
            }

            labels[label] = $"p{i}";
            return Encoding.UTF8.GetBytes(copy.ToJsonString());
        }).ToArray() : null;
        // Methods compiled during the loop: a steady loop compiles nothing, so a count that grows with the iterations
        // is code generated per injection (a compiled regex, a dynamic method).
        var (methods, jitTime, gen0, gen2, paused, allocated) = (JitInfo.GetCompiledMethodCount(), JitInfo.GetCompilationTime(), GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());
        var clock = Stopwatch.StartNew();
        var done = 0;
        while (done < iterations && limit.Elapsed < TimeSpan.FromSeconds(60))
        {
            Once(injector, distinctPods is null ? bytes : distinctPods[done % distinctPods.Length]);
            done++;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(env is { } e ? $"env-{e}" : pod)}{(distinct ? " (distinct)" : "")}: pod {bytes.Length} bytes, patch {patchBytes} bytes, {done} injections, {clock.Elapsed.TotalMilliseconds / Math.Max(done, 1):F3} ms each"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  during the loop: {JitInfo.GetCompiledMethodCount() - methods} methods compiled ({(JitInfo.GetCompilationTime() - jitTime).TotalMilliseconds:F0} ms), {GC.CollectionCount(0) - gen0} gen0 and {GC.CollectionCount(2) - gen2} gen2 collections ({(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:F0} ms paused), {(GC.GetTotalAllocatedBytes() - allocated) / 1024.0 / Math.Max(done, 1):F1} KB allocated per injection"));
        return 0;
    }

    private static int Once(PodInjector injector, byte[] bytes)
    {
        // As the webhook reads request.object.
        var pod = (JsonObject)Injector.Documents.JsonTree.Parse(bytes)!;
        var result = injector.Inject(new InjectionRequest(pod, "default", InjectionDoor.Webhook, []));
        return (result as InjectionResult.Injected)?.PatchJson.Length ?? 0;
    }
}
