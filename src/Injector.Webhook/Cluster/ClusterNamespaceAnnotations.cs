using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook.Cluster;

/// <summary>
/// Namespace annotations (on OpenShift the proxy's UID/GID come from them) and labels (the console's explain), from
/// the namespace watch when it has the namespace, else read from the API server (a namespace created a moment ago may
/// reach a pod before its watch event) and cached for a short while so a burst of pods in one namespace costs one
/// read. A failed read is logged and treated as unknown.
/// </summary>
public sealed partial class ClusterNamespaceAnnotations(
    KubeApi client,
    ILogger<ClusterNamespaceAnnotations> logger,
    TimeSpan? cacheFor = null,
    ResourceWatch<NamespaceMetadata>? watch = null)
    : INamespaceAnnotations, INamespaceLabels
{
    /// <summary>Namespaces remembered at most; past it the cache starts over (a cluster has far fewer).</summary>
    internal const int MaxCached = 10_000;

    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(3);
    private readonly TimeSpan _cacheFor = cacheFor ?? TimeSpan.FromSeconds(60);
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, NamespaceMetadata? Value)> _cache = new(StringComparer.Ordinal);

    public async ValueTask<IReadOnlyDictionary<string, string>?> GetAsync(string @namespace, CancellationToken cancellationToken) =>
        (await ReadAsync(@namespace, cancellationToken).ConfigureAwait(false))?.Annotations;

    public async ValueTask<IReadOnlyDictionary<string, string>?> GetLabelsAsync(string @namespace, CancellationToken cancellationToken) =>
        (await ReadAsync(@namespace, cancellationToken).ConfigureAwait(false))?.Labels;

    private async ValueTask<NamespaceMetadata?> ReadAsync(string @namespace, CancellationToken cancellationToken)
    {
        if (watch?.Items.TryGetValue(@namespace, out var watched) == true)
        {
            return watched;
        }

        if (_cache.TryGetValue(@namespace, out var cached) && DateTimeOffset.UtcNow - cached.At < _cacheFor)
        {
            return cached.Value;
        }

        NamespaceMetadata? value;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ReadTimeout);
            var ns = await client.GetAsync($"/api/v1/namespaces/{KubeApi.Segment(@namespace)}", timeout.Token).ConfigureAwait(false);
            value = NamespaceMetadata.Of(ns);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogReadFailed(logger, LogText.Escape(@namespace), LogText.Escape(e.Message));
            if (cancellationToken.IsCancellationRequested)
            {
                // The request's own deadline: nothing learnt about the namespace, so nothing is cached.
                return null;
            }

            value = null;
        }

        if (_cache.Count >= MaxCached)
        {
            _cache.Clear();
        }

        _cache[@namespace] = (DateTimeOffset.UtcNow, value);
        return value;
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "Cannot read namespace {NamespaceName}: {Reason}; the default proxy UID/GID apply (and explain sees no labels)")]
    private static partial void LogReadFailed(ILogger logger, string namespaceName, string reason);
}
