namespace Injector.Webhook;

/// <summary>
/// Bounds the request bodies being read and injected at once, by size: the process's memory grows with the bodies in
/// flight (a pod's JSON tree is several times its text), so a burst of large reviews waits here instead of exhausting
/// the container's memory limit. Units are 64 KiB; a request takes its Content-Length's worth (the maximum when unknown).
/// </summary>
internal sealed class BodyBudget(long totalBytes) : IDisposable
{
    private const long Unit = 64 * 1024;
    private readonly int _units = (int)Math.Max(1, totalBytes / Unit);
    private readonly SemaphoreSlim _available = new((int)Math.Max(1, totalBytes / Unit));

    /// <summary>One acquirer at a time takes its units, so two large requests cannot each hold half and wait forever.</summary>
    private readonly SemaphoreSlim _gate = new(1);

    /// <summary>Waits until <paramref name="bytes"/> fit; null when <paramref name="ct"/> fires first.</summary>
    public ValueTask<Lease?> AcquireAsync(long bytes, CancellationToken ct)
    {
        var units = (int)Math.Clamp((bytes + Unit - 1) / Unit, 1, _units);

        // The usual case, a small body while the budget has room: no wait, so no task.
        if (!ct.IsCancellationRequested && _gate.Wait(0))
        {
            var taken = 0;
            while (taken < units && _available.Wait(0))
            {
                taken++;
            }

            if (taken == units)
            {
                _gate.Release();
                return new(new Lease(this, units));
            }

            // Short of room: wait for the rest, holding the gate as the slow path does.
            return new(WaitForRestAsync(units, taken, ct));
        }

        return new(AcquireSlowAsync(units, ct));
    }

    private async Task<Lease?> AcquireSlowAsync(int units, CancellationToken ct)
    {
        try
        {
            await _gate.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        return await WaitForRestAsync(units, 0, ct).ConfigureAwait(false);
    }

    /// <summary>Takes the units still missing while holding the gate, and releases the gate.</summary>
    private async Task<Lease?> WaitForRestAsync(int units, int taken, CancellationToken ct)
    {
        try
        {
            for (; taken < units; taken++)
            {
                await _available.WaitAsync(ct).ConfigureAwait(false);
            }

            return new Lease(this, units);
        }
        catch (OperationCanceledException)
        {
            if (taken > 0)
            {
                _available.Release(taken);
            }

            return null;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _available.Dispose();
        _gate.Dispose();
    }

    /// <summary>Units held by one request; disposing gives them back.</summary>
    internal sealed class Lease(BodyBudget budget, int units) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                budget._available.Release(units);
            }
        }
    }
}
