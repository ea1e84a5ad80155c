using System.Collections.Concurrent;
using System.Diagnostics;

namespace Injector.Conformance.Tests;

/// <summary>
/// The ratchet's cases through the real executable, both doors: <c>injector inject</c> with each case's settings as
/// flags, and <c>injector serve</c> started with them, its <c>/inject</c> over TLS. In process the ratchet proves the
/// core; this proves the program that ships (flag parsing, wiring, and under <c>make aot-test</c> the Native AOT
/// build, where trimming or a reflection path would break what the JIT build does).
/// </summary>
public sealed class ExecutableConformanceTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("injector-exe-conformance-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<CaseConfig> Configs() => [CaseConfig.Embedded, CaseConfig.DropIn];

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Theory]
    [MemberData(nameof(Configs))]
    public async Task Listed_cases_pass_through_the_executables_inject(CaseConfig config)
    {
        Corpus.RequireOrSkip();
        var runs = Listed(config).Where(c => !c.WebhookOnly).Select(c => (Case: c, Args: CaseFlags.Inject(c, config, _scratch))).ToList();
        Assert.NotEmpty(runs);

        var failures = new ConcurrentBag<string>();
        // Two at a time: one per core; each run is a process start, most of it the runtime's (or nothing, under AOT).
        await Parallel.ForEachAsync(runs, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = Ct }, async (run, ct) =>
        {
            var (code, stdout, stderr) = await RunAsync(run.Args, ct);
            var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var outcome = code switch
            {
                ExitOk => CaseRunner.Judge(run.Case, stdout, lines, denial: null),
                ExitDenied => Denied(run.Case, lines, stderr),
                _ => new DoorOutcome(true, false, false, $"exit {code}: {stderr}"),
            };
            if (!outcome.Passed)
            {
                failures.Add($"{run.Case.Id}: {outcome.Detail}");
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} of {runs.Count} case(s) failed through injector inject:\n{string.Join("\n", failures.Order(StringComparer.Ordinal))}");
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public async Task Listed_cases_pass_through_the_executables_serve(CaseConfig config)
    {
        Corpus.RequireOrSkip();
        // On OpenShift the namespace's UID range comes from the API server, which serve reads only inside a cluster;
        // those cases' pods go through the in-process webhook (the ratchet) and this class's inject.
        var cases = Listed(config).Where(c => WebhookDoor.Applies(c) && c.Platform != "openshift").ToList();
        Assert.NotEmpty(cases);

        var failures = new List<string>();
        var passed = 0;
        foreach (var group in cases.GroupBy(c => CaseFlags.Settings(c, config, _scratch), ListComparer.Instance))
        {
            await using var serve = await ServeProcess.StartAsync([.. group.Key, "--log-level", "warn"]);
            foreach (var c in group)
            {
                var outcome = await WebhookDoor.RunAsync(c, serve.Client);
                if (outcome.Passed)
                {
                    passed++;
                }
                else
                {
                    failures.Add($"{c.Id}: {outcome.Detail}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} case(s) failed through injector serve:\n{string.Join("\n", failures)}");
        Assert.Equal(cases.Count, passed);
    }

    /// <summary>The verdict on a denial: stderr's last line is <c>error: REASON: MESSAGE</c>.</summary>
    private static DoorOutcome Denied(CorpusCase c, string[] lines, string stderr)
    {
        var error = lines.LastOrDefault(l => l.StartsWith("error: ", StringComparison.Ordinal))?["error: ".Length..] ?? stderr;
        var colon = error.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0
            ? CaseRunner.Judge(c, null, lines, error)
            : CaseRunner.Judge(c, null, lines, error[(colon + 2)..], error[..colon]);
    }

    private const int ExitOk = 0;
    private const int ExitDenied = 1;

    /// <summary>The cases of the ratchet's list for the configuration.</summary>
    private static List<CorpusCase> Listed(CaseConfig config)
    {
        var ids = PassingCases.Read(config == CaseConfig.DropIn ? PassingCases.DropInFilePath : PassingCases.FilePath).ToHashSet(StringComparer.Ordinal);
        var cases = Corpus.Cases.Where(c => ids.Contains(c.Id)).ToList();
        Assert.Equal(ids.Count, cases.Select(c => c.Id).Distinct(StringComparer.Ordinal).Count());
        return cases;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        using var process = Process.Start(InjectorProcess.Start(args))!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            return (-1, "", $"injector {string.Join(' ', args)} did not finish in 60 s");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Groups cases whose flags are equal, so one <c>serve</c> serves them all.</summary>
    private sealed class ListComparer : IEqualityComparer<IReadOnlyList<string>>
    {
        public static ListComparer Instance { get; } = new();

        public bool Equals(IReadOnlyList<string>? x, IReadOnlyList<string>? y) => x is not null && y is not null && x.SequenceEqual(y, StringComparer.Ordinal);

        public int GetHashCode(IReadOnlyList<string> obj) => string.Join('\0', obj).GetHashCode(StringComparison.Ordinal);
    }
}
