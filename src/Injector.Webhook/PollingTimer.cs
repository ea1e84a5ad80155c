namespace Injector.Webhook;

/// <summary>
/// Runs a poll every interval, re-arming only after the previous poll finished so polls never overlap. A poll that
/// throws is reported and polling goes on: the reloaders built on it must survive anything.
/// </summary>
internal sealed class PollingTimer(TimeSpan interval, Action poll, Action<Exception> onError) : IDisposable
{
    private readonly Lock _lock = new();
    private Timer? _timer;
    private bool _disposed;

    /// <summary>Starts polling (the first poll happens after one interval).</summary>
    public void Start()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _timer ??= new Timer(_ => Tick(), null, interval, Timeout.InfiniteTimeSpan);
        }
    }

    public void Stop()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void Tick()
    {
        try
        {
            poll();
        }
#pragma warning disable CA1031 // The poller must survive anything; the owner logs the failure and keeps its last good state.
        catch (Exception e)
#pragma warning restore CA1031
        {
            onError(e);
        }
        finally
        {
            lock (_lock)
            {
                _timer?.Change(interval, Timeout.InfiniteTimeSpan);
            }
        }
    }
}
