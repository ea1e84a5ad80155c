using System.Text.Json.Nodes;
using Injector.Documents;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook.Cluster;

/// <summary>
/// A small informer: lists a kind of cluster-scoped object, then watches from the list's resourceVersion and keeps a
/// projection of each object by name. A watch that ends is resumed from the last version seen; an error (410 Gone, a
/// broken connection, a refused request) starts over with a fresh list after a capped backoff. <see cref="Changed"/>
/// is raised after every change of the store; <see cref="Synced"/> turns true with the first successful list.
/// </summary>
/// <typeparam name="TValue">What is kept of each object.</typeparam>
public sealed partial class ResourceWatch<TValue> : IAsyncDisposable
{
    /// <summary>How long the API server keeps one watch open before it is resumed (it closes it itself at this timeout).</summary>
    private const int WatchTimeoutSeconds = 300;

    private readonly string _what;
    private readonly KubeApi _api;
    private readonly string _path;
    private readonly Func<JsonObject, TValue> _project;
    private readonly ILogger _logger;
    private readonly TimeSpan _maxBackoff;
    private readonly CancellationTokenSource _stop = new();
    private volatile IReadOnlyDictionary<string, TValue> _items = new Dictionary<string, TValue>(StringComparer.Ordinal);
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private int _disposed;

    /// <param name="what">What is watched, for logs ("nodes").</param>
    /// <param name="api">The API server.</param>
    /// <param name="path">The collection (<c>/api/v1/nodes</c>): listed, then watched.</param>
    /// <param name="project">What is kept of an object.</param>
    /// <param name="logger">Where failures are logged.</param>
    /// <param name="maxBackoff">The longest wait between attempts after a failure (30 s).</param>
    public ResourceWatch(string what, KubeApi api, string path, Func<JsonObject, TValue> project, ILogger logger, TimeSpan? maxBackoff = null)
    {
        _what = what;
        _api = api;
        _path = path;
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
        var backoff = MinBackoff;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var (items, version) = await ListAsync(ct).ConfigureAwait(false);
                Publish(items);
                _synced.TrySetResult();
                while (!ct.IsCancellationRequested)
                {
                    var started = DateTime.UtcNow;
                    var (next, events) = await WatchAsync(version, ct).ConfigureAwait(false);
                    if (next is null)
                    {
                        // 410 Gone: the version is too old; list again now (routine, not logged).
                        break;
                    }

                    version = next;
                    if (events > 0 || DateTime.UtcNow - started > HealthyWatch)
                    {
                        backoff = MinBackoff;
                    }
                    else
                    {
                        // A watch that ends at once without news (a proxy that breaks streams) is not retried in a loop.
                        await Task.Delay(backoff, ct).ConfigureAwait(false);
                        backoff = Longer(backoff);
                    }
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
                LogFailed(_logger, _what, LogText.Escape(e.Message), backoff.TotalSeconds);
                try
                {
                    await Task.Delay(backoff, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                // The backoff only shrinks again after a watch that lasted or brought news: a list that works with a
                // watch that fails (list granted, watch not) does not become a list every 200 ms.
                backoff = Longer(backoff);
            }
        }
    }

    /// <summary>Objects per list page: a large cluster's nodes come in pages, not one answer of hundreds of megabytes.</summary>
    private const int ListPage = 500;

    /// <summary>A whole list (every page) that takes longer is given up and tried again: a stalled server must not stall the store.</summary>
    private static readonly TimeSpan ListTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Lists every object, page by page; returns them and the list's resourceVersion (to watch from).</summary>
    private async Task<(Dictionary<string, TValue> Items, string Version)> ListAsync(CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(ListTimeout);
        var items = new Dictionary<string, TValue>(StringComparer.Ordinal);
        string? next = null;
        string version;
        do
        {
            var query = $"?limit={ListPage}" + (next is null ? "" : $"&continue={Uri.EscapeDataString(next)}");
            var page = await _api.GetAsync(_path + query, deadline.Token).ConfigureAwait(false);
            foreach (var item in (page["items"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if (Metadata(item, "name") is { } name)
                {
                    items[name] = _project(item);
                }
            }

            // Every page of one list carries the list's resourceVersion; the last page has no continue token.
            version = Metadata(page, "resourceVersion") ?? "";
            next = Metadata(page, "continue") is { Length: > 0 } token ? token : null;
        }
        while (next is not null);
        return (items, version);
    }

    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(200);

    /// <summary>A watch that lasted this long was healthy, even if nothing changed.</summary>
    private static readonly TimeSpan HealthyWatch = TimeSpan.FromSeconds(30);

    private TimeSpan Longer(TimeSpan backoff) => TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _maxBackoff.Ticks));

    /// <summary>
    /// One watch, until the server closes it (or it outlives its timeout by 30 s: a connection that died without a
    /// close); returns the last version seen and how many changes came, or a null version when it must list again.
    /// </summary>
    private async Task<(string? Version, int Events)> WatchAsync(string version, CancellationToken ct)
    {
        var events = 0;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(WatchTimeoutSeconds + 30));
        try
        {
            await foreach (var (type, item) in _api.WatchAsync(_path, version, WatchTimeoutSeconds, limit.Token).ConfigureAwait(false))
            {
                switch (type)
                {
                    case "ADDED":
                    case "MODIFIED":
                        if (Metadata(item, "name") is { } name)
                        {
                            var value = _project(item);
                            if (!_items.TryGetValue(name, out var old) || !EqualityComparer<TValue>.Default.Equals(old, value))
                            {
                                // Nodes are modified often (status); only a change of what is kept is published.
                                Publish(new Dictionary<string, TValue>(_items, StringComparer.Ordinal) { [name] = value });
                                events++;
                            }
                        }

                        break;
                    case "DELETED":
                        if (Metadata(item, "name") is { } gone && _items.ContainsKey(gone))
                        {
                            var items = new Dictionary<string, TValue>(_items, StringComparer.Ordinal);
                            items.Remove(gone);
                            Publish(items);
                            events++;
                        }

                        break;
                    case "ERROR":
                        // A Status: 410 Gone (the version is too old) means list again; anything else is a failure.
                        var failure = KubeApiException.FromStatus(item, statusCode: null, "the watch failed");
                        return failure.StatusCode == 410 ? (null, events) : throw failure;
                }

                if (Metadata(item, "resourceVersion") is { Length: > 0 } seen)
                {
                    version = seen;
                }
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // Outlived its timeout: resumed from the last version seen.
            return (version, events);
        }
        catch (KubeApiException e) when (e.StatusCode == 410)
        {
            // Some servers refuse the watch itself with 410 rather than send an ERROR event.
            return (null, events);
        }

        return (version, events);
    }

    /// <summary>A string field of an object's metadata.</summary>
    private static string? Metadata(JsonObject item, string field) => JsonText.Of((item["metadata"] as JsonObject)?[field]);

    private void Publish(Dictionary<string, TValue> items)
    {
        _items = items;
        Changed?.Invoke(items);
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Watching {What} failed: {Reason}; listing again in {BackoffSeconds:F1} s")]
    private static partial void LogFailed(ILogger logger, string what, string reason, double backoffSeconds);

}
