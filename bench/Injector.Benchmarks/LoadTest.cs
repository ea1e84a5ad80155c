using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Injector.Core;
using Injector.Core.Config;
using Injector.Core.Policy;
using Injector.Testing;
using Injector.Webhook;
using Microsoft.Extensions.Logging;

namespace Injector.Benchmarks;

/// <summary>How the load test runs; every loop is bounded by a request count and a time limit.</summary>
internal sealed record LoadOptions(int Requests, int Concurrency, int Seconds, int Warmup, string? JsonFile)
{
    public static LoadOptions Default { get; } = new(2000, 8, 30, 200, null);
}

/// <summary>What one server variant did under load. Latencies in milliseconds.</summary>
internal sealed record LoadFigures(
    string Server,
    int Requested,
    int Succeeded,
    int Errors,
    int CutByTimeLimit,
    double Seconds,
    double RequestsPerSecond,
    double P50,
    double P90,
    double P99,
    double Max,
    string? FirstError);

/// <summary>
/// The bounded TLS load test: the real webhook server on 127.0.0.1 and an ephemeral port, once with the real injector
/// and once with an injector that skips at once, posting <c>examples/admission-review.json</c> from C workers.
/// </summary>
internal static class LoadTest
{
    private const string Usage = "usage: Injector.Benchmarks load [--requests N] [--concurrency C] [--seconds S] [--warmup W] [--json FILE]";

    public static async Task<int> RunAsync(string[] args)
    {
        if (Parse(args) is not { } options)
        {
            await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 2;
        }

        var reviewFile = FindReview();
        var review = await File.ReadAllBytesAsync(reviewFile).ConfigureAwait(false);
        var uid = JsonNode.Parse(review)?["request"]?["uid"]?.ToString() ?? "";
        Console.WriteLine($"load test: {options.Requests} requests, {options.Concurrency} workers, limit {options.Seconds} s, warm-up {options.Warmup}; body {reviewFile} ({review.Length} bytes)");
        Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; client and server share this process");

        using var certificates = new TestCertificates();
        var injector = new PodInjector(SettingsLoader.Defaults());
        var real = await MeasureAsync("injector", new FixedSource(injector), expectPatch: true, review, uid, certificates, options).ConfigureAwait(false);
        var baseline = await MeasureAsync("baseline (skip)", new FixedSource(new SkippingInjector()), expectPatch: false, review, uid, certificates, options).ConfigureAwait(false);

        var ratios = new Ratios(
            Ratio(real.RequestsPerSecond, baseline.RequestsPerSecond),
            Ratio(real.P50, baseline.P50),
            Ratio(real.P99, baseline.P99));
        Console.WriteLine();
        Console.WriteLine(Markdown(real, baseline, ratios));
        if (options.JsonFile is { } jsonFile)
        {
            await File.WriteAllTextAsync(jsonFile, Json(options, real, baseline, ratios)).ConfigureAwait(false);
            Console.WriteLine($"figures written to {jsonFile}");
        }

        var failed = real.Errors + baseline.Errors;
        if (failed > 0)
        {
            await Console.Error.WriteLineAsync($"{failed} request(s) failed; first: {real.FirstError ?? baseline.FirstError}").ConfigureAwait(false);
            return 1;
        }

        return 0;
    }

    private static async Task<LoadFigures> MeasureAsync(
        string name, IPodInjectorSource source, bool expectPatch, byte[] body, string uid, TestCertificates certificates, LoadOptions options)
    {
        var serverOptions = new WebhookServerOptions
        {
            Address = "127.0.0.1",
            Port = 0,
            TlsCertFile = certificates.CertFile,
            TlsKeyFile = certificates.KeyFile,
            // The per-review log line goes nowhere, for both variants alike: the test measures the request path, not the console.
            ConfigureLogging = logging => logging.ClearProviders(),
        };
        var app = WebhookServer.Build(serverOptions, source);
        await using (app.ConfigureAwait(false))
        {
            using (var startLimit = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                await app.StartAsync(startLimit.Token).ConfigureAwait(false);
            }

            var port = WebhookServer.GetPort(app);
            using var handler = new SocketsHttpHandler
            {
                MaxConnectionsPerServer = options.Concurrency,
                ConnectTimeout = TimeSpan.FromSeconds(10),
                PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            };
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => certificates.Validate(certificate, errors);
            using var client = new HttpClient(handler)
            {
                BaseAddress = new Uri($"https://127.0.0.1:{port}/"),
                Timeout = TimeSpan.FromSeconds(15),
            };

            var warm = await PhaseAsync(name, client, body, uid, expectPatch, options.Warmup, options.Concurrency, Math.Min(options.Seconds, 10)).ConfigureAwait(false);
            Console.WriteLine($"{name}: warm-up {warm.Succeeded} ok, {warm.Errors} errors in {warm.Seconds:F1} s");
            var figures = await PhaseAsync(name, client, body, uid, expectPatch, options.Requests, options.Concurrency, options.Seconds).ConfigureAwait(false);
            Console.WriteLine($"{name}: {figures.Succeeded} ok, {figures.Errors} errors, {figures.CutByTimeLimit} cut by the time limit, {figures.RequestsPerSecond:F0} req/s");
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return figures;
        }
    }

    private static async Task<LoadFigures> PhaseAsync(
        string name, HttpClient client, byte[] body, string uid, bool expectPatch, int requests, int concurrency, int seconds)
    {
        var issued = -1;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var clock = Stopwatch.StartNew();

        async Task<Worker> RunWorkerAsync()
        {
            var worker = new Worker();
            while (!deadline.IsCancellationRequested && Interlocked.Increment(ref issued) < requests)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    using var response = await client.PostAsync(new Uri("inject", UriKind.Relative), content, deadline.Token).ConfigureAwait(false);
                    var answer = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
                    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (Check(response.StatusCode, answer, uid, expectPatch) is { } problem)
                    {
                        worker.Fail(problem);
                    }
                    else
                    {
                        worker.Latencies.Add(elapsed);
                    }
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested)
                {
                    worker.Cut++;
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
                {
                    worker.Fail($"{e.GetType().Name}: {e.Message}");
                }
            }

            return worker;
        }

        var workers = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(RunWorkerAsync))).ConfigureAwait(false);
        clock.Stop();

        var latencies = workers.SelectMany(w => w.Latencies).Order().ToArray();
        var elapsedSeconds = clock.Elapsed.TotalSeconds;
        return new LoadFigures(
            name,
            requests,
            latencies.Length,
            workers.Sum(w => w.Errors),
            workers.Sum(w => w.Cut),
            elapsedSeconds,
            latencies.Length / elapsedSeconds,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.90),
            Percentile(latencies, 0.99),
            latencies.Length == 0 ? double.NaN : latencies[^1],
            workers.Select(w => w.FirstError).FirstOrDefault(e => e is not null));
    }

    /// <summary>Null when the answer is the AdmissionReview expected; else what is wrong with it.</summary>
    private static string? Check(HttpStatusCode status, byte[] answer, string uid, bool expectPatch)
    {
        if (status != HttpStatusCode.OK)
        {
            return $"HTTP {(int)status}: {Encoding.UTF8.GetString(answer)}";
        }

        try
        {
            using var document = JsonDocument.Parse(answer);
            if (!document.RootElement.TryGetProperty("response", out var response))
            {
                return "no response in the AdmissionReview";
            }

            if (!response.TryGetProperty("uid", out var gotUid) || gotUid.GetString() != uid)
            {
                return "response uid does not echo the request";
            }

            if (!response.TryGetProperty("allowed", out var allowed) || allowed.ValueKind != JsonValueKind.True)
            {
                return $"not allowed: {response}";
            }

            var hasPatch = response.TryGetProperty("patch", out var patch) && patch.ValueKind == JsonValueKind.String && patch.GetString()!.Length > 0;
            return hasPatch == expectPatch ? null : expectPatch ? "no patch in the response" : "unexpected patch in the response";
        }
        catch (JsonException e)
        {
            return $"response is not JSON: {e.Message}";
        }
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static double Ratio(double a, double b) => b == 0 ? double.NaN : a / b;

    private static string Markdown(LoadFigures real, LoadFigures baseline, Ratios ratios)
    {
        var text = new StringBuilder();
        text.AppendLine("| server | requests | ok | errors | cut by time limit | seconds | req/s | p50 ms | p90 ms | p99 ms | max ms |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var f in new[] { real, baseline })
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {f.Server} | {f.Requested} | {f.Succeeded} | {f.Errors} | {f.CutByTimeLimit} | {f.Seconds:F2} | {f.RequestsPerSecond:F0} | {f.P50:F2} | {f.P90:F2} | {f.P99:F2} | {f.Max:F2} |");
        }

        text.AppendLine();
        text.AppendLine("| injector / baseline | throughput | p50 latency | p99 latency |");
        text.AppendLine("|---|---:|---:|---:|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| ratio | {ratios.Throughput:F2} | {ratios.P50:F2} | {ratios.P99:F2} |");
        return text.ToString();
    }

    private static string Json(LoadOptions options, LoadFigures real, LoadFigures baseline, Ratios ratios)
    {
        static JsonObject Figures(LoadFigures f) => new()
        {
            ["server"] = f.Server,
            ["requested"] = f.Requested,
            ["succeeded"] = f.Succeeded,
            ["errors"] = f.Errors,
            ["cutByTimeLimit"] = f.CutByTimeLimit,
            ["seconds"] = Round(f.Seconds),
            ["requestsPerSecond"] = Round(f.RequestsPerSecond),
            ["p50Ms"] = Round(f.P50),
            ["p90Ms"] = Round(f.P90),
            ["p99Ms"] = Round(f.P99),
            ["maxMs"] = Round(f.Max),
            ["firstError"] = f.FirstError,
        };

        var root = new JsonObject
        {
            ["requests"] = options.Requests,
            ["concurrency"] = options.Concurrency,
            ["timeLimitSeconds"] = options.Seconds,
            ["warmup"] = options.Warmup,
            ["processorCount"] = Environment.ProcessorCount,
            ["os"] = RuntimeInformation.OSDescription,
            ["runtime"] = Environment.Version.ToString(),
            ["injector"] = Figures(real),
            ["baseline"] = Figures(baseline),
            ["ratios"] = new JsonObject
            {
                ["throughput"] = Round(ratios.Throughput),
                ["p50"] = Round(ratios.P50),
                ["p99"] = Round(ratios.P99),
            },
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>NaN is not JSON; it becomes null.</summary>
    private static JsonNode? Round(double value) => double.IsFinite(value) ? JsonValue.Create(Math.Round(value, 3)) : null;

    private static LoadOptions? Parse(string[] args)
    {
        var options = LoadOptions.Default;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            int Positive() => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : -1;
            switch (args[i])
            {
                case "--requests" when Positive() is > 0 and var n:
                    options = options with { Requests = n };
                    break;
                case "--concurrency" when Positive() is > 0 and <= 256 and var n:
                    options = options with { Concurrency = n };
                    break;
                case "--seconds" when Positive() is > 0 and <= 600 and var n:
                    options = options with { Seconds = n };
                    break;
                case "--warmup" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 0:
                    options = options with { Warmup = n };
                    break;
                case "--json" when !string.IsNullOrEmpty(value):
                    options = options with { JsonFile = value };
                    break;
                default:
                    return null;
            }

            i++;
        }

        return options;
    }

    /// <summary>examples/admission-review.json, looked for above the working directory, then above the executable.</summary>
    internal static string FindReview()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "examples", "admission-review.json");
                if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "Injector.sln")))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException("examples/admission-review.json not found above the working directory or the executable");
    }

    private sealed record Ratios(double Throughput, double P50, double P99);

    private sealed class Worker
    {
        public List<double> Latencies { get; } = [];

        public int Errors { get; private set; }

        public int Cut { get; set; }

        public string? FirstError { get; private set; }

        public void Fail(string problem)
        {
            Errors++;
            FirstError ??= problem;
        }
    }

    private sealed class FixedSource(IPodInjector injector) : IPodInjectorSource
    {
        public IPodInjector Current { get; } = injector;
    }

    /// <summary>The empty handler: skips every pod at once, so only Kestrel, TLS, routing and AdmissionReview decode/encode remain.</summary>
    private sealed class SkippingInjector : IPodInjector
    {
        public bool ReadsNamespaceAnnotations => false;

        public InjectionResult Inject(InjectionRequest request, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(request);
            return new InjectionResult.Skipped(SkipReason.PolicyDisabled, []);
        }
    }
}
