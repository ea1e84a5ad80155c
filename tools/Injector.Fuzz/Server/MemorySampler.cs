using System.Globalization;

namespace Injector.Fuzz.Server;

/// <summary>
/// The server's resident memory from <c>/proc/PID/status</c>: VmRSS sampled every 100 ms and the kernel's own
/// high-water mark VmHWM, which also catches peaks shorter than the sampling period.
/// </summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peakKb;
    private long _lastRssKb;

    public MemorySampler(int pid)
    {
        _pid = pid;
        _loop = Task.Run(() => LoopAsync(_stop.Token));
    }

    /// <summary>The highest of every VmRSS sample and VmHWM seen so far, in kB.</summary>
    public long PeakKb => Interlocked.Read(ref _peakKb);

    /// <summary>The latest VmRSS sample, in kB: compared with the peak it tells a leak from a high-water mark.</summary>
    public long LastRssKb => Interlocked.Read(ref _lastRssKb);

    /// <summary>Reads once more (VmHWM just before the process is stopped) and stops sampling.</summary>
    public void Stop()
    {
        Sample();
        _stop.Cancel();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // The loop ends by cancellation; nothing else to report.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private void Sample()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{_pid}/status");
        }
        catch (IOException)
        {
            return;
        }
        catch (UnauthorizedAccessException)
        {
            return;
        }

        foreach (var line in lines)
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal) || line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                var digits = line.AsSpan(6).Trim();
                var end = digits.IndexOf(' ');
                if (long.TryParse(end < 0 ? digits : digits[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var kb))
                {
                    RaisePeak(kb);
                    if (line[2] == 'R')
                    {
                        Interlocked.Exchange(ref _lastRssKb, kb);
                    }
                }
            }
        }
    }

    private void RaisePeak(long kb)
    {
        var seen = Interlocked.Read(ref _peakKb);
        while (kb > seen)
        {
            var previous = Interlocked.CompareExchange(ref _peakKb, kb, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
