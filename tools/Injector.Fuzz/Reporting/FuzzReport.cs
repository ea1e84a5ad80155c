using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Injector.Fuzz.Server;

namespace Injector.Fuzz.Reporting;

/// <summary>Everything the run found, printed for people and written as JSON with <c>--json</c>.</summary>
internal sealed class FuzzReport
{
    public required FuzzOptions Options { get; init; }

    public required string CorpusDir { get; init; }

    public required int Seeds { get; init; }

    public required int SyntheticSeeds { get; init; }

    public required int CorpusFilesRead { get; init; }

    public required int CorpusFilesSkipped { get; init; }

    public required int InjectableSeeds { get; init; }

    public required string ServerDir { get; init; }

    public required string ServerCopy { get; init; }

    public required int ServerStarts { get; init; }

    public required IReadOnlyList<ServerExit> ServerExits { get; init; }

    public required double PeakRssMb { get; init; }

    public required double FuzzerPeakRssMb { get; init; }

    public required double FinalRssMb { get; init; }

    public required string LogPath { get; init; }

    public required LogSummary Log { get; init; }

    public required RunStats Stats { get; init; }

    public required FindingLog Findings { get; init; }

    public required double Seconds { get; init; }

    public required string StoppedBy { get; init; }

    public int Http503 => Findings.Kinds().FirstOrDefault(k => k.Name == "http-503")?.Count ?? 0;

    public string Human()
    {
        var text = new StringBuilder();
        var (p50, p99, max) = Stats.Latency();
        text.AppendLine(Inv($"== Injector fuzz summary: seed {Options.Seed}, {Stats.Requests:N0} requests (limit {Options.Requests:N0}), concurrency {Options.Concurrency}, stopped by {StoppedBy}"));
        text.AppendLine(Inv($"duration {Seconds:F1} s (limit {Options.DurationSeconds} s), {Rate:F1} requests/s, {Stats.BytesSent / 1048576.0:F1} MiB sent"));
        text.AppendLine(Inv($"seeds: {Seeds} ({Seeds - SyntheticSeeds} pods from {CorpusFilesRead} corpus files, {CorpusFilesSkipped} files skipped, {SyntheticSeeds} synthetic), {InjectableSeeds} injected unmutated; corpus {CorpusDir}"));
        text.AppendLine(Inv($"server: {ServerDir} run from a copy in {ServerCopy} (removed at the end); {ServerStarts} start(s), {ServerExits.Count} unexpected exit(s); peak RSS {PeakRssMb:F1} MB, {FinalRssMb:F1} MB at the end (the fuzzer's own peak: {FuzzerPeakRssMb:F0} MB)"));
        text.AppendLine($"server log: {LogPath} ({Log.Lines.ToString("N0", CultureInfo.InvariantCulture)} lines)");
        text.AppendLine("by status: " + string.Join(", ", Stats.ByStatus().Select(p => Inv($"{p.Key}: {p.Value:N0}"))));
        text.AppendLine("200 answers: " + string.Join(", ", Stats.ByOutcome().Select(p => Inv($"{Label(p.Key)} {p.Value:N0}"))));
        text.AppendLine(Inv($"normal requests (must inject): {Stats.Normal:N0}; patches not verifiable (pod not rebuilt): {Stats.PatchesUnverified:N0}; requests lost to a crash: {Stats.LostToCrash:N0}"));
        text.AppendLine(Inv($"latency ms: p50 {p50:F1}, p99 {p99:F1}, max {max:F1}"));
        text.AppendLine("slowest: " + string.Join("; ", Stats.Slowest().Select(s => Inv($"{s.Ms:F0} ms {s.What}"))));
        text.AppendLine(Inv($"503 answers: {Http503:N0}"));
        var kinds = Findings.Kinds();
        text.AppendLine(kinds.Count == 0 ? "findings: none" : Inv($"findings: {Findings.Total:N0} in {kinds.Count} kind(s)"));
        foreach (var kind in kinds)
        {
            text.AppendLine(Inv($"  {kind.Name} x{kind.Count:N0}"));
            text.AppendLine("    by mutation: " + string.Join(", ", kind.ByMutation.OrderByDescending(p => p.Value).Take(12).Select(p => Inv($"{p.Key} {p.Value}"))));
            foreach (var e in kind.Examples)
            {
                text.AppendLine(Inv($"    - case {e.CaseIndex} {e.Mutation} [{e.Seed}] ({e.RequestBytes:N0} bytes): {e.Case}"));
                text.AppendLine($"      => {e.Description}");
            }
        }

        foreach (var exit in ServerExits)
        {
            text.AppendLine(Inv($"server #{exit.Generation} (pid {exit.Pid}) exited with code {exit.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "?"}; last log lines:"));
            foreach (var line in exit.LastLines.TakeLast(8))
            {
                text.AppendLine("      | " + line);
            }
        }

        if (Log.Entries.Count > 0)
        {
            text.AppendLine("server log warnings/errors: " + string.Join(", ", Log.Entries.Take(8).Select(e => Inv($"{e.Key} x{e.Value:N0}"))));
        }

        foreach (var exception in Log.Exceptions.Take(8))
        {
            text.AppendLine(Inv($"server log exception {exception.Type} x{exception.Count:N0}: {exception.FirstMessage}"));
            foreach (var frame in exception.StackTop.Take(3))
            {
                text.AppendLine("      " + frame);
            }
        }

        text.AppendLine("mutations sent: " + string.Join(", ", Stats.ByMutation().Select(p => Inv($"{p.Key} {p.Value}"))));
        return text.ToString();
    }

    public string Json()
    {
        var (p50, p99, max) = Stats.Latency();
        var json = new JsonObject
        {
            ["seed"] = Options.Seed,
            ["requests"] = Stats.Requests,
            ["requestLimit"] = Options.Requests,
            ["concurrency"] = Options.Concurrency,
            ["durationSeconds"] = Math.Round(Seconds, 2),
            ["durationLimitSeconds"] = Options.DurationSeconds,
            ["requestsPerSecond"] = Math.Round(Rate, 2),
            ["stoppedBy"] = StoppedBy,
            ["seeds"] = new JsonObject
            {
                ["total"] = Seeds,
                ["synthetic"] = SyntheticSeeds,
                ["injectable"] = InjectableSeeds,
                ["corpusFilesRead"] = CorpusFilesRead,
                ["corpusFilesSkipped"] = CorpusFilesSkipped,
                ["corpusDir"] = CorpusDir,
            },
            ["server"] = new JsonObject
            {
                ["dir"] = ServerDir,
                ["copy"] = ServerCopy,
                ["starts"] = ServerStarts,
                ["unexpectedExits"] = new JsonArray([.. ServerExits.Select(e => (JsonNode)new JsonObject
                {
                    ["generation"] = e.Generation,
                    ["pid"] = e.Pid,
                    ["exitCode"] = e.ExitCode,
                    ["lastLogLines"] = new JsonArray([.. e.LastLines.Select(l => (JsonNode)JsonValue.Create(l))]),
                })]),
                ["peakRssMb"] = Math.Round(PeakRssMb, 1),
                ["finalRssMb"] = Math.Round(FinalRssMb, 1),
                ["fuzzerPeakRssMb"] = Math.Round(FuzzerPeakRssMb, 1),
                ["log"] = LogPath,
                ["logLines"] = Log.Lines,
                ["logEntries"] = Counts(Log.Entries),
                ["logExceptions"] = new JsonArray([.. Log.Exceptions.Select(e => (JsonNode)new JsonObject
                {
                    ["type"] = e.Type,
                    ["count"] = e.Count,
                    ["firstMessage"] = e.FirstMessage,
                    ["stackTop"] = new JsonArray([.. e.StackTop.Select(s => (JsonNode)JsonValue.Create(s))]),
                })]),
            },
            ["byStatus"] = Counts(Stats.ByStatus()),
            ["byOutcome"] = Counts(Stats.ByOutcome().Select(p => new KeyValuePair<string, int>(Label(p.Key), p.Value))),
            ["byMutation"] = Counts(Stats.ByMutation()),
            ["normalRequests"] = Stats.Normal,
            ["patchesUnverified"] = Stats.PatchesUnverified,
            ["lostToCrash"] = Stats.LostToCrash,
            ["latencyMs"] = new JsonObject { ["p50"] = Math.Round(p50, 2), ["p99"] = Math.Round(p99, 2), ["max"] = Math.Round(max, 2) },
            ["slowest"] = new JsonArray([.. Stats.Slowest().Select(s => (JsonNode)new JsonObject { ["ms"] = Math.Round(s.Ms, 1), ["what"] = s.What })]),
            ["http503"] = Http503,
            ["findingsTotal"] = Findings.Total,
            ["findings"] = new JsonArray([.. Findings.Kinds().Select(k => (JsonNode)new JsonObject
            {
                ["kind"] = k.Name,
                ["count"] = k.Count,
                ["byMutation"] = Counts(k.ByMutation.OrderByDescending(p => p.Value)),
                ["examples"] = new JsonArray([.. k.Examples.Select(e => (JsonNode)new JsonObject
                {
                    ["case"] = e.CaseIndex,
                    ["mutation"] = e.Mutation,
                    ["seed"] = e.Seed,
                    ["requestBytes"] = e.RequestBytes,
                    ["what"] = e.Case,
                    ["found"] = e.Description,
                })]),
            })]),
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private double Rate => Seconds > 0 ? Stats.Requests / Seconds : 0;

    private static string Label(Checks.ReviewOutcome outcome) => outcome switch
    {
        Checks.ReviewOutcome.Injected => "injected",
        Checks.ReviewOutcome.AllowedWithoutPatch => "allowed without patch",
        Checks.ReviewOutcome.Denied => "denied",
        Checks.ReviewOutcome.Unparsed => "unparsed",
        _ => "not reviewed",
    };

    private static JsonObject Counts(IEnumerable<KeyValuePair<string, int>> counts)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in counts)
        {
            obj[key] = value;
        }

        return obj;
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
