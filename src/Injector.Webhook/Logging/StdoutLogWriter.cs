using System.Threading.Channels;

namespace Injector.Webhook.Logging;

/// <summary>
/// Writes finished log lines to stdout from one background thread, many lines per write. The console logger of
/// ASP.NET Core makes one write (a system call) per line; at one line per admission that was a third of the cost of an
/// admission that injects nothing. A request never waits on stdout: past <see cref="Capacity"/> lines waiting, lines
/// are dropped and counted, and a line saying how many follows once there is room.
/// </summary>
internal sealed class StdoutLogWriter : IDisposable
{
    /// <summary>Lines waiting to be written before new ones are dropped.</summary>
    public const int Capacity = 16 * 1024;

    /// <summary>
    /// After the first line of a batch the writer waits this long for more, so a busy server writes a few hundred
    /// lines at once; an idle one writes each line this late.
    /// </summary>
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(10);

    /// <summary>Lines are gathered into one buffer of up to this many bytes per write.</summary>
    private const int BatchBytes = 64 * 1024;

    private readonly Channel<byte[]> _lines;
    private readonly Stream _output;
    private readonly Func<string, byte[]> _droppedLine;
    private readonly Thread _thread;
    private long _dropped;

    /// <param name="output">Where lines go (stdout).</param>
    /// <param name="droppedLine">Formats the line that reports dropped lines.</param>
    public StdoutLogWriter(Stream output, Func<string, byte[]> droppedLine)
    {
        _output = output;
        _droppedLine = droppedLine;
        _lines = Channel.CreateBounded<byte[]>(
            new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
        _thread = new Thread(Run) { IsBackground = true, Name = "stdout log writer" };
        _thread.Start();

        // A process that ends without disposing the host still writes what it logged.
        AppDomain.CurrentDomain.ProcessExit += OnExit;
    }

    /// <summary>Lines dropped so far because the writer fell behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues one line (UTF-8, ending in a newline); never blocks. After the writer stopped, the line is counted as dropped.</summary>
    public void Add(byte[] line)
    {
        if (!_lines.Writer.TryWrite(line))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Writes what is queued and stops the writer (bounded: at most 5 s).</summary>
    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnExit;
        _lines.Writer.TryComplete();
        _thread.Join(TimeSpan.FromSeconds(5));
    }

    private void OnExit(object? sender, EventArgs e) => Dispose();

    private void Run()
    {
        var buffer = new byte[BatchBytes];
        var reader = _lines.Reader;
        long reported = 0;
        while (Wait(reader))
        {
            Thread.Sleep(Linger);
            var used = 0;
            while (reader.TryRead(out var line))
            {
                used = Append(buffer, used, line);
            }

            var dropped = Dropped;
            if (dropped != reported)
            {
                used = Append(buffer, used, _droppedLine($"{dropped - reported} log lines were dropped: stdout was not read fast enough"));
                reported = dropped;
            }

            Write(buffer, used);
        }
    }

    /// <summary>Blocks this thread until a line is queued; false once the writer is completed and drained.</summary>
    private static bool Wait(ChannelReader<byte[]> reader)
    {
        var waiting = reader.WaitToReadAsync();
        return waiting.IsCompletedSuccessfully ? waiting.Result : waiting.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Appends a line to the batch, writing the batch first when the line would not fit.</summary>
    private int Append(byte[] buffer, int used, byte[] line)
    {
        if (used + line.Length > buffer.Length)
        {
            Write(buffer, used);
            used = 0;
            if (line.Length > buffer.Length)
            {
                Write(line, line.Length);
                return 0;
            }
        }

        line.CopyTo(buffer, used);
        return used + line.Length;
    }

    private void Write(byte[] bytes, int count)
    {
        if (count == 0)
        {
            return;
        }

        try
        {
            _output.Write(bytes, 0, count);
            _output.Flush();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
        {
            // Nowhere to say it: stdout is gone (its reader exited). The lines are lost; the server goes on.
        }
    }
}
