using System.Text;
using System.Text.Json.Nodes;
using Injector.Webhook.Logging;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook.Tests;

/// <summary>
/// The server's stdout logger: lines in order and whole, many per write; nothing lost on dispose; a request never
/// waits on stdout (a stuck reader drops lines, counted and reported); a broken stdout is survived.
/// </summary>
public sealed class StdoutLoggerTests
{
    [Fact]
    public void Lines_arrive_whole_and_in_order_and_many_share_a_write()
    {
        var output = new RecordingStream();
        using (var provider = new StdoutLoggerProvider(LogFormat.Text, output))
        {
            var logger = provider.CreateLogger("Test.Category");
            for (var i = 0; i < 2_000; i++)
            {
                logger.LogInformation(new EventId(7), "line {Number}", i);
            }
        }

        var lines = output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2_000, lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info: Test\.Category\[7\] line " + i + "$", lines[i]);
        }

        // Batched: far fewer writes than lines.
        Assert.InRange(output.Writes, 1, 200);
    }

    [Fact]
    public void A_text_line_keeps_an_exception_on_it_and_json_keeps_field_types()
    {
        var text = new RecordingStream();
        var json = new RecordingStream();
        using (var textProvider = new StdoutLoggerProvider(LogFormat.Text, text))
        using (var jsonProvider = new StdoutLoggerProvider(LogFormat.Json, json))
        {
            foreach (var provider in new[] { textProvider, jsonProvider })
            {
                var logger = provider.CreateLogger("C");
                logger.LogError(new EventId(5), new InvalidOperationException("first\nsecond"), "failed on {Pod} after {Ms} ms ({Retried})", "ns/web\nx", 1.5, true);
            }
        }

        var line = Assert.Single(text.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"Z fail: C\[5\] failed on ns/web x after 1.5 ms \(True\) System.InvalidOperationException: first second$", line);

        var entry = JsonNode.Parse(Assert.Single(json.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries)))!;
        Assert.Equal("Error", entry["LogLevel"]!.GetValue<string>());
        Assert.Equal(5, entry["EventId"]!.GetValue<int>());
        Assert.Equal("C", entry["Category"]!.GetValue<string>());
        Assert.Contains("first\nsecond", entry["Exception"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("ns/web\nx", entry["State"]!["Pod"]!.GetValue<string>());
        Assert.Equal(1.5, entry["State"]!["Ms"]!.GetValue<double>());
        Assert.True(entry["State"]!["Retried"]!.GetValue<bool>());
        Assert.Equal("failed on {Pod} after {Ms} ms ({Retried})", entry["State"]!["{OriginalFormat}"]!.GetValue<string>());
    }

    [Fact]
    public void A_stuck_stdout_never_blocks_a_caller_and_the_dropped_lines_are_reported()
    {
        using var gate = new ManualResetEventSlim();
        var output = new RecordingStream(gate);
        var provider = new StdoutLoggerProvider(LogFormat.Text, output);
        var logger = provider.CreateLogger("C");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < StdoutLogWriter.Capacity * 2; i++)
        {
            logger.LogInformation("line {Number}", i);
        }

        // Every line was taken (or dropped) without waiting on the stuck write.
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        gate.Set();
        provider.Dispose();

        var lines = output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var notice = Assert.Single(lines, l => l.Contains("log lines were dropped", StringComparison.Ordinal));
        var dropped = int.Parse(notice.Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(StdoutLogWriter.Capacity * 2, lines.Length - 1 + dropped);
        Assert.InRange(dropped, StdoutLogWriter.Capacity / 2, StdoutLogWriter.Capacity * 2);
    }

    [Fact]
    public void A_broken_stdout_is_survived()
    {
        var provider = new StdoutLoggerProvider(LogFormat.Json, new BrokenStream());
        var logger = provider.CreateLogger("C");
        for (var i = 0; i < 100; i++)
        {
            logger.LogWarning("line {Number}", i);
        }

        provider.Dispose();
    }

    /// <summary>Collects what is written; counts the writes; optionally blocks every write until a gate opens.</summary>
    private sealed class RecordingStream(ManualResetEventSlim? gate = null) : MemoryStream
    {
        public int Writes { get; private set; }

        public string Text => Encoding.UTF8.GetString(ToArray());

        public override void Write(byte[] buffer, int offset, int count)
        {
            gate?.Wait(TimeSpan.FromSeconds(30));
            Writes++;
            base.Write(buffer, offset, count);
        }
    }

    private sealed class BrokenStream : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("Broken pipe");
    }
}
