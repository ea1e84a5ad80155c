using System.Diagnostics;
using System.Globalization;
using System.Text;
using Injector.Core;
using Injector.Core.Config;
using Injector.Webhook;
using Microsoft.Extensions.Logging.Abstractions;

namespace Injector.Benchmarks;

/// <summary>
/// <c>handler [--distinct] [--disabled] [--no-memo] [--seconds S] [--allocations]</c>: the webhook's handler on
/// <c>examples/admission-review.json</c> in a bounded loop, no HTTP and no TLS: review bytes in, answer out, as
/// <c>/inject</c> runs it. Prints µs per review (the fastest and the median quarter-second window) and bytes allocated per review; <c>--distinct</c> gives each review a new label
/// value (a memo miss every time), <c>--disabled</c> uses <c>policy: disabled</c>. A steadier comparison than
/// <c>make load</c> on a shared machine, and a target for <c>perf</c> and <c>dotnet-trace</c>; <c>--allocations</c> lists the
/// types allocated most (the runtime's allocation samples).
/// </summary>
internal static class HandlerLoop
{
    public static async Task<int> RunAsync(string[] args)
    {
        var distinct = args.Contains("--distinct");
        var disabled = args.Contains("--disabled");
        var memo = !args.Contains("--no-memo");
        using var sampler = args.Contains("--allocations") ? new AllocationSampler() : null;
        var seconds = Array.IndexOf(args, "--seconds") is var s and >= 0 && s + 1 < args.Length ? double.Parse(args[s + 1], CultureInfo.InvariantCulture) : 5;
        seconds = Math.Clamp(seconds, 0.5, 60);

        var review = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(LoadTest.FindReview()).ConfigureAwait(false))!;
        review["request"]!["object"]!["metadata"]!["labels"]!["load-id"] = "LOADID";
        var template = review.ToJsonString();
        var settings = SettingsLoader.Load(disabled ? new ConfigTexts(InjectConfig: new ConfigText("disabled.yaml", "policy: disabled\n")) : new ConfigTexts());
        using var metrics = new WebhookMetrics("Injector.Benchmarks.Handler");
        var handler = new AdmissionHandler(new Fixed(new PodInjector(settings)), metrics, NullLogger<AdmissionHandler>.Instance, memo: memo ? new AdmissionMemo() : null);
        var same = Encoding.UTF8.GetBytes(template.Replace("LOADID", "same", StringComparison.Ordinal));

        var n = 0;
        async Task Once()
        {
            var body = distinct ? Encoding.UTF8.GetBytes(template.Replace("LOADID", "p" + n.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)) : same;
            var outcome = await handler.ReviewAsync(body, "/inject", CancellationToken.None).ConfigureAwait(false);
            if (outcome.Kind is not (AdmissionOutcomeKind.Injected or AdmissionOutcomeKind.Skipped))
            {
                throw new InvalidOperationException($"unexpected outcome {outcome.Kind} {outcome.Code}");
            }

            // The bytes the endpoint writes.
            var (bytes, _, rented) = AnswerBytes.Encode(outcome, System.Buffers.ArrayPool<byte>.Shared);
            if (rented)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(bytes);
            }

            n++;
        }

        // Warm-up: long enough for the JIT's tiers to settle.
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed < TimeSpan.FromSeconds(Math.Min(seconds, 3)))
        {
            await Once().ConfigureAwait(false);
        }

        // Windows of a quarter second: on a shared machine the fastest window is the steadiest figure (others' work
        // only ever adds time); the median is printed beside it.
        var start = n;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var windows = new List<double>();
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            var windowStart = clock.Elapsed;
            var before = n;
            while (clock.Elapsed - windowStart < TimeSpan.FromMilliseconds(250))
            {
                await Once().ConfigureAwait(false);
            }

            windows.Add((clock.Elapsed - windowStart).TotalMicroseconds / (n - before));
        }

        var count = n - start;
        var bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)count;
        windows.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"handler {(disabled ? "disabled" : "default")} {(distinct ? "distinct" : "same")}{(memo ? "" : " no-memo")}: {count} reviews; per review: fastest window {windows[0]:F1} us, median {windows[windows.Count / 2]:F1} us; {bytes / 1024:F1} KB allocated"));
        foreach (var line in sampler?.Top(40) ?? [])
        {
            Console.WriteLine(line);
        }

        return 0;
    }

    private sealed class Fixed(IPodInjector injector) : IPodInjectorSource
    {
        public IPodInjector Current => injector;
    }
}
