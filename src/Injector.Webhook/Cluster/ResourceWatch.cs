using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook.Cluster;

/// <summary>
/// A small informer: lists a kind of cluster-scoped object, then watches from the list's resourceVersion and keeps a
/// projection of each object by name. A watch that ends is resumed from the last version seen; an error (410 Gone, a
/// broken connection, a refused request) starts over with a fresh list after a capped backoff. <see cref="Changed"/>
/// is raised after every change of the store; <see cref="Synced"/> turns true with the first successful list.
/// </summary>
/// <typeparam name="TItem">The object kind (V1Node, V1Namespace).</typeparam>
/// <typeparam name="TList">Its list kind.</typeparam>
/// <typeparam name="TValue">What is kept of each object.</typeparam>
public sealed partial class ResourceWatch<TItem, TList, TValue> : IAsyncDisposable
    where TItem : IKubernetesObject<V1ObjectMeta>
    where TList : IKubernetesObject<V1ListMeta>, IItems<TItem>
{
    /// <summary>How long the API server keeps one watch open before it is resumed (it closes it itself at this timeout).</summary>
    private const int WatchTimeoutSeconds = 300;

    private readonly string _what;
    private readonly Func<CancellationToken, Task<TList>> _list;
    private readonly Func<string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, TItem)>> _watch;
    private readonly Func<TItem, TValue> _project;
    private readonly ILogger _logger;
    private readonly TimeSpan _maxBackoff;
    private readonly CancellationTokenSource _stop = new();
    private volatile IReadOnlyDictionary<string, TValue> _items = new Dictionary<string, TValue>(StringComparer.Ordinal);
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private int _disposed;

    /// <param name="what">What is watched, for logs ("nodes").</param>
    /// <param name="list">Lists every object.</param>
    /// <param name="watch">Watches from a resourceVersion (with bookmarks, the timeout given and a callback for a broken stream).</param>
    /// <param name="project">What is kept of an object.</param>
    /// <param name="logger">Where failures are logged.</param>
    /// <param name="maxBackoff">The longest wait between attempts after a failure (30 s).</param>
    public ResourceWatch(
        string what,
        Func<CancellationToken, Task<TList>> list,
        Func<string, int, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, TItem)>> watch,
        Func<TItem, TValue> project,
        ILogger logger,
        TimeSpan? maxBackoff = null)
    {
        ArgumentNullException.ThrowIfNull(watch);
        _what = what;
        _list = list;
        _watch = (version, onError, ct) => watch(version, WatchTimeoutSeconds, onError, ct);
        _project = project;
        _logger = logger;
        _maxBackoff = maxBackoff ?? TimeSpan.FromSeconds(30);
    }

    /// <summary>Raised (on the watch's thread) after the store changed.</summary>
    public event Action<IReadOnlyDictionary<string, TValue>>? Changed;

    /// <summary>The objects as last seen, by name (a snapshot: never changed in place).</summary>
    public IReadOnlyDictionary<string, TValue> Items => _items;

    /// <summary>The first list arrived.</summary>
    public bool Synced => _synced.Task.IsCompleted;

    /// <summary>Completes with the first successful list.</summary>
    public Task WhenSynced => _synced.Task;

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Stops the watch (the host stops it, then the container disposes it: the second call does nothing).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var list = await _list(ct).ConfigureAwait(false);
                var items = new Dictionary<string, TValue>(StringComparer.Ordinal);
                foreach (var item in list.Items ?? [])
                {
                    if (item.Metadata?.Name is { } name)
                    {
                        items[name] = _project(item);
                    }
                }

                Publish(items);
                _synced.TrySetResult();
                backoff = TimeSpan.FromMilliseconds(200);
                var version = list.Metadata?.ResourceVersion ?? "";
                while (!ct.IsCancellationRequested)
                {
                    version = await WatchAsync(version, ct).ConfigureAwait(false)
                        ?? throw new WatchExpiredException();
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Any failure of the API or the stream means: list again, later.
            catch (Exception e)
#pragma warning restore CA1031
            {
                if (e is not WatchExpiredException)
                {
                    LogFailed(_logger, _what, LogText.Escape(e.Message), backoff.TotalSeconds);
                }

                try
                {
                    await Task.Delay(e is WatchExpiredException ? TimeSpan.Zero : backoff, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _maxBackoff.Ticks));
            }
        }
    }

    /// <summary>One watch, until the server closes it; returns the last version seen, or null when it must list again.</summary>
    private async Task<string?> WatchAsync(string version, CancellationToken ct)
    {
        Exception? streamError = null;
        await foreach (var (type, item) in _watch(version, e => streamError = e, ct).ConfigureAwait(false))
        {
            switch (type)
            {
                case WatchEventType.Added:
                case WatchEventType.Modified:
                    if (item.Metadata?.Name is { } name)
                    {
                        Publish(new Dictionary<string, TValue>(_items, StringComparer.Ordinal) { [name] = _project(item) });
                    }

                    break;
                case WatchEventType.Deleted:
                    if (item.Metadata?.Name is { } gone && _items.ContainsKey(gone))
                    {
                        var items = new Dictionary<string, TValue>(_items, StringComparer.Ordinal);
                        items.Remove(gone);
                        Publish(items);
                    }

                    break;
                case WatchEventType.Error:
                    // 410 Gone (the version is too old) or another Status: start over with a list.
                    return null;
            }

            if (item?.Metadata?.ResourceVersion is { Length: > 0 } seen)
            {
                version = seen;
            }
        }

        return streamError is null ? version : throw streamError;
    }

    private void Publish(Dictionary<string, TValue> items)
    {
        _items = items;
        Changed?.Invoke(items);
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Watching {What} failed: {Reason}; listing again in {BackoffSeconds:F1} s")]
    private static partial void LogFailed(ILogger logger, string what, string reason, double backoffSeconds);

    private sealed class WatchExpiredException : Exception;
}
