using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Injector.Fuzz.Cases;
using Injector.Fuzz.Checks;
using Injector.Fuzz.Mutations;
using Injector.Fuzz.Reporting;
using Injector.Fuzz.Seeds;
using Injector.Fuzz.Server;

namespace Injector.Fuzz.Running;

/// <summary>
/// One bounded run: calibrate the seeds (which does the server inject unmutated?), then send generated cases from C
/// workers until the request budget or the time limit is spent, checking every answer and the server's life.
/// </summary>
internal sealed class FuzzSession : IDisposable
{
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(15);
    private readonly FuzzOptions _options;
    private readonly string _corpusDir;
    private readonly string _serverDir;
    private readonly (IReadOnlyList<Seed> Seeds, int FilesRead, int FilesSkipped) _corpus;
    private readonly LocalCa _ca;
    private readonly ServerLog _log;
    private readonly ServerSupervisor _server;
    private readonly WebhookClient _client;
    private readonly FindingLog _findings = new();
    private readonly RunStats _stats = new();
    private readonly SemaphoreSlim _largeBodies = new(1, 1);
    private readonly ConcurrentDictionary<int, FuzzCase> _inFlight = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _requestSlots;
    private int _flightIds;
    private string _stoppedBy = "request budget";

    private FuzzSession(FuzzOptions options, string corpusDir, string serverDir, (IReadOnlyList<Seed>, int, int) corpus, LocalCa ca, ServerLog log, ServerSupervisor server)
    {
        _options = options;
        _corpusDir = corpusDir;
        _serverDir = serverDir;
        _corpus = corpus;
        _ca = ca;
        _log = log;
        _server = server;
        _client = new WebhookClient(ca);
    }

    public static async Task<FuzzSession> SetUpAsync(FuzzOptions options, CancellationToken ct)
    {
        var corpusDir = RepoPaths.InjectTestdata(options.CorpusDir);
        var corpus = SeedCorpus.Load(corpusDir);
        var serverDir = Path.GetFullPath(options.ServerDir ?? RepoPaths.DefaultServerDir());
        var workDir = Directory.CreateTempSubdirectory("injector-fuzz-").FullName;
        var ca = LocalCa.Create(Path.Combine(workDir, "tls"));
        var log = new ServerLog(Path.Combine(workDir, "server.log"));
        Console.WriteLine($"fuzz: work dir {workDir}; server log {log.Path}");
        try
        {
            var server = await ServerSupervisor.StartAsync(serverDir, workDir, ca, log, ct).ConfigureAwait(false);
            Console.WriteLine($"fuzz: server pid {server.Current.Pid} on https://127.0.0.1:{server.Current.HttpsPort}/inject (health {server.Current.HealthPort})");
            return new FuzzSession(options, corpusDir, serverDir, corpus, ca, log, server);
        }
        catch
        {
            foreach (var line in log.Tail(20))
            {
                Console.Error.WriteLine("  server | " + line);
            }

            log.Dispose();
            ca.Dispose();
            throw;
        }
    }

    public async Task<FuzzReport> RunAsync(CancellationToken interrupt)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(interrupt);
        limit.CancelAfter(TimeSpan.FromSeconds(_options.DurationSeconds));
        var ct = limit.Token;
        using var progress = new CancellationTokenSource();
        var progressTask = ProgressAsync(progress.Token);
        var seeds = _corpus.Seeds;
        var injectable = new ConcurrentBag<Seed>();
        try
        {
            // Calibration: every seed once, unmutated; the synthetic ones must be injected.
            var bootstrap = new CaseGenerator(seeds, [], _options.Seed);

            // One warm-up review first, alone and unchecked: the first answers of a fresh process pay for JIT, which the
            // slow-response check (steady-state latency) must not count; its time is reported on its own.
            if (seeds.Count > 0)
            {
                var warm = System.Diagnostics.Stopwatch.StartNew();
                await _client.SendAsync(_server.Current.BaseUri, bootstrap.Plain(0, seeds[0], expectInjected: false), ct).ConfigureAwait(false);
                Console.WriteLine($"fuzz: warm-up review answered in {warm.Elapsed.TotalMilliseconds:F0} ms (not checked)");
            }

            var next = -1;
            await RunWorkersAsync(
                () =>
                {
                    var i = Interlocked.Increment(ref next);
                    return i < seeds.Count ? bootstrap.Plain(-1 - i, seeds[i], expectInjected: seeds[i].Synthetic) : null;
                },
                (c, check) =>
                {
                    if (check.Outcome == ReviewOutcome.Injected && check.PatchedPod is not null)
                    {
                        injectable.Add(seeds.First(s => s.Name == c.Seed));
                    }
                },
                ct).ConfigureAwait(false);

            var ordered = seeds.Where(s => injectable.Any(i => i.Name == s.Name)).ToList();
            Console.WriteLine($"fuzz: calibration: {ordered.Count} of {seeds.Count} seeds injected unmutated ({_clock.Elapsed.TotalSeconds:F1} s)");
            if (ordered.Count == 0)
            {
                _findings.Add("no-injectable-seed", "not one seed was injected unmutated", null);
            }

            var generator = new CaseGenerator(seeds, ordered, _options.Seed, _options.Mutations);
            var index = 0;
            var sentOnly = 0;
            await RunWorkersAsync(
                () =>
                {
                    if (_options.OnlyCase is not null)
                    {
                        return Interlocked.Increment(ref sentOnly) == 1 ? generator.Create(_options.OnlyCase.Value) : null;
                    }

                    return generator.Create(Interlocked.Increment(ref index));
                },
                (_, _) => { },
                ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The time limit or Ctrl-C: report what was done.
        }
        catch (SetupException e)
        {
            _stoppedBy = "server failure: " + e.Message;
            _findings.Add("server-unrecoverable", e.Message, null);
        }

        if (interrupt.IsCancellationRequested)
        {
            _stoppedBy = "interrupt";
        }
        else if (limit.IsCancellationRequested)
        {
            _stoppedBy = "time limit";
        }

        await progress.CancelAsync().ConfigureAwait(false);
        await progressTask.ConfigureAwait(false);
        var seconds = _clock.Elapsed.TotalSeconds;
        if (_server.RecordExitIfDead() is { } exit)
        {
            _findings.Add("server-exited", $"server #{exit.Generation} (pid {exit.Pid}) had exited by the end of the run, code {exit.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "?"}", null);
        }

        var finalRss = _server.LastRssMb;
        _server.Stop();
        return new FuzzReport
        {
            Options = _options,
            CorpusDir = _corpusDir,
            Seeds = seeds.Count,
            SyntheticSeeds = seeds.Count(s => s.Synthetic),
            CorpusFilesRead = _corpus.FilesRead,
            CorpusFilesSkipped = _corpus.FilesSkipped,
            InjectableSeeds = injectable.Count,
            ServerDir = _serverDir,
            ServerCopy = _server.ServerCopy,
            ServerStarts = _server.Starts,
            ServerExits = _server.Exits,
            PeakRssMb = _server.PeakRssMb,
            FinalRssMb = finalRss,
            FuzzerPeakRssMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0,
            LogPath = _log.Path,
            Log = LogScan.Scan(_log.Path),
            Stats = _stats,
            Findings = _findings,
            Seconds = seconds,
            StoppedBy = _stoppedBy,
        };
    }

    public void Dispose()
    {
        _server.Dispose();
        _client.Dispose();
        _log.Dispose();
        _ca.Dispose();
        _largeBodies.Dispose();
    }

    private async Task RunWorkersAsync(Func<FuzzCase?> nextCase, Action<FuzzCase, CheckResult> onChecked, CancellationToken ct)
    {
        var workers = Enumerable.Range(0, _options.Concurrency).Select(_ => Task.Run(
            async () =>
            {
                while (!ct.IsCancellationRequested && Volatile.Read(ref _requestSlots) < _options.Requests && nextCase() is { } c)
                {
                    if (await SendAndCheckAsync(c, ct).ConfigureAwait(false) is { } check)
                    {
                        onChecked(c, check);
                    }
                }
            },
            ct));
        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    /// <summary>Sends one case (and its re-injection, if it asks for one); null when it was not sent or not answered.</summary>
    private async Task<CheckResult?> SendAndCheckAsync(FuzzCase c, CancellationToken ct)
    {
        var check = await SendOneAsync(c, ct).ConfigureAwait(false);
        if (c.Reinjection && check is { Outcome: ReviewOutcome.Injected, PatchedPod: { } patched })
        {
            await SendOneAsync(FollowUps.Reinjection(c, patched), ct).ConfigureAwait(false);
        }

        return check;
    }

    private async Task<CheckResult?> SendOneAsync(FuzzCase c, CancellationToken ct)
    {
        if (Interlocked.Increment(ref _requestSlots) > _options.Requests)
        {
            return null;
        }

        var large = c.IsLarge;
        if (large)
        {
            await _largeBodies.WaitAsync(ct).ConfigureAwait(false);
        }

        var flight = Interlocked.Increment(ref _flightIds);
        _inFlight[flight] = c;
        Exchange exchange;
        ServerProcess server;
        try
        {
            server = _server.Current;
            exchange = await _client.SendAsync(server.BaseUri, c, ct).ConfigureAwait(false);
        }
        finally
        {
            if (large)
            {
                _largeBodies.Release();
            }
        }

        try
        {
            // After a failure, or whenever the process is gone: did the server die? The first to see it reports it.
            if (exchange.Failure is ExchangeFailure.Connection or ExchangeFailure.Timeout || server.HasExited)
            {
                var grace = exchange.Failure == ExchangeFailure.None ? TimeSpan.Zero : TimeSpan.FromSeconds(1);
                var (dead, exit) = await _server.RestartIfDeadAsync(server, grace, ct).ConfigureAwait(false);
                if (dead)
                {
                    if (exit is not null)
                    {
                        ReportExit(exit, c);
                    }

                    _stats.Record(c, exchange, null);
                    return null;
                }
            }

            if (_options.DumpDir is { } dumpDir && c.Index >= 0)
            {
                await CaseDump.WriteAsync(dumpDir, c, exchange, ct).ConfigureAwait(false);
            }

            var check = ResponseChecker.Check(c, exchange);
            _stats.Record(c, exchange, check);
            foreach (var finding in check.Findings)
            {
                _findings.Add(finding.Kind, finding.Description, c);
            }

            return check;
        }
        finally
        {
            _inFlight.TryRemove(flight, out _);
        }
    }

    private void ReportExit(ServerExit exit, FuzzCase c)
    {
        var others = _inFlight.Values.Where(f => !ReferenceEquals(f, c)).Select(f => $"case {f.Index} {f.Mutation}").ToList();
        var last = exit.LastLines.Count > 0 ? exit.LastLines[^1] : "(no output)";
        _findings.Add(
            "server-exited",
            $"server #{exit.Generation} (pid {exit.Pid}) exited with code {exit.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "?"} during this request"
                + (others.Count > 0 ? $" (also in flight: {string.Join(", ", others)})" : "") + $"; last log line: {last}",
            c);
        Console.WriteLine($"  server #{exit.Generation} died (exit code {exit.ExitCode}); last log lines:");
        foreach (var line in exit.LastLines)
        {
            Console.WriteLine("    | " + line);
        }

        Console.WriteLine($"  restarted as server #{_server.Current.Generation} (pid {_server.Current.Pid})");
    }

    private async Task ProgressAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(ProgressEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                var elapsed = _clock.Elapsed.TotalSeconds;
                Console.WriteLine($"fuzz: {elapsed:F0} s: {_stats.Requests} requests ({_stats.Requests / Math.Max(elapsed, 0.001):F1}/s), {_findings.Total} findings, server starts {_server.Starts}, peak RSS {_server.PeakRssMb:F0} MB");
            }
        }
        catch (OperationCanceledException)
        {
            // Done.
        }
    }
}
