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
    public async Task<Lease?> AcquireAsync(long bytes, CancellationToken ct)
    {
        var units = (int)Math.Clamp((bytes + Unit - 1) / Unit, 1, _units);
        var taken = 0;
        try
        {
            await _gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                for (; taken < units; taken++)
                {
                    await _available.WaitAsync(ct).ConfigureAwait(false);
                }
            }
            finally
            {
                _gate.Release();
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
