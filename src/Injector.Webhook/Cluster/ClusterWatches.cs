using System.Text.Json.Nodes;
using Injector.Documents;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook.Cluster;

/// <summary>What the webhook watches in the cluster: the nodes' kubelet versions (with <c>--native-sidecars auto</c>) and the namespaces.</summary>
/// <param name="Client">The API server.</param>
/// <param name="WatchNodes">Follow the nodes: native sidecars only while every node's kubelet supports them.</param>
/// <param name="WatchNamespaces">Follow the namespaces (OpenShift's UID ranges, the console's explain); without it a namespace is read when needed.</param>
/// <param name="RecordEvents">Write Events about admissions on the workloads.</param>
/// <param name="EventFlushInterval">How long admissions gather into one Event write (2 s when null).</param>
public sealed record ClusterOptions(KubeApi Client, bool WatchNodes, bool WatchNamespaces = true, bool RecordEvents = true, TimeSpan? EventFlushInterval = null)
{
    /// <summary>How long readiness waits for the first node list; then classic sidecars stay until the nodes are listed.</summary>
    public TimeSpan NodeListGrace { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// The live cluster facts: a namespace watch (annotations for OpenShift's UID ranges, labels for explain) and, with
/// <c>--native-sidecars auto</c>, a node watch that switches the injector between native and classic sidecars as
/// nodes join and leave. Readiness waits for the first node list, for <see cref="ClusterOptions.NodeListGrace"/> at
/// most: the injector starts with classic sidecars, which every kubelet runs, so a node list that is refused (RBAC)
/// or slow does not keep every replica unready and, with failurePolicy Fail, stop pod creation. The namespaces never
/// hold readiness back: a namespace the watch has not delivered is read directly.
/// </summary>
public sealed partial class ClusterWatches : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly TimeSpan _nodeListGrace;
    private readonly System.Diagnostics.Stopwatch _since = new();
    private bool? _native;

    public ClusterWatches(ClusterOptions options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _logger = loggers.CreateLogger<ClusterWatches>();
        _nodeListGrace = options.NodeListGrace;
        var client = options.Client;
        Namespaces = !options.WatchNamespaces ? null : new ResourceWatch<NamespaceMetadata>("namespaces", client, "/api/v1/namespaces", NamespaceMetadata.Of, _logger);
        if (options.WatchNodes)
        {
            Nodes = new ResourceWatch<string?>("nodes", client, "/api/v1/nodes", KubeletVersion, _logger);
            Nodes.Changed += OnNodesChanged;
        }
    }

    /// <summary>The namespace watch; null unless <see cref="ClusterOptions.WatchNamespaces"/>.</summary>
    public ResourceWatch<NamespaceMetadata>? Namespaces { get; }

    /// <summary>The node watch; null unless <see cref="ClusterOptions.WatchNodes"/>.</summary>
    public ResourceWatch<string?>? Nodes { get; }

    /// <summary>Whether every node supports native sidecars; null before the first node list (or without a node watch).</summary>
    public bool? NativeSidecars => _native;

    /// <summary>Raised when <see cref="NativeSidecars"/> takes a value or changes.</summary>
    public event Action<bool>? NativeSidecarsChanged;

    /// <summary>Why the webhook cannot answer correctly yet (the first node list, within its grace); null when it can.</summary>
    public string? NotReady
    {
        get
        {
            if (Nodes is not { Synced: false })
            {
                return null;
            }

            if (_since.Elapsed < _nodeListGrace)
            {
                return "the nodes are not listed yet (--native-sidecars auto)";
            }

            if (Interlocked.Exchange(ref _graceLogged, 1) == 0)
            {
                LogNodesUnlisted(_logger, _nodeListGrace.TotalSeconds);
            }

            return null;
        }
    }

    private int _graceLogged;

    public void Start()
    {
        _since.Start();
        Namespaces?.Start();
        Nodes?.Start();
    }

    public async ValueTask DisposeAsync()
    {
        if (Namespaces is not null)
        {
            await Namespaces.DisposeAsync().ConfigureAwait(false);
        }

        if (Nodes is not null)
        {
            await Nodes.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A node's <c>status.nodeInfo.kubeletVersion</c>.</summary>
    private static string? KubeletVersion(JsonObject node) =>
        JsonText.Of(((node["status"] as JsonObject)?["nodeInfo"] as JsonObject)?["kubeletVersion"]);

    private void OnNodesChanged(IReadOnlyDictionary<string, string?> nodes)
    {
        var native = NativeSidecarDetection.AllSupport(nodes.Values.ToList());
        if (_native == native)
        {
            return;
        }

        _native = native;
        var oldest = nodes.Where(n => NativeSidecarDetection.Minor(n.Value) is not { } minor || minor < NativeSidecarDetection.MinimumMinor)
            .Select(n => $"{n.Key} ({n.Value ?? "no version"})")
            .Order(StringComparer.Ordinal)
            .Take(3)
            .ToList();
        LogNative(
            _logger,
            native ? "native" : "classic",
            nodes.Count,
            native ? $"every kubelet is 1.{NativeSidecarDetection.MinimumMinor} or newer" : nodes.Count == 0 ? "no nodes" : "older kubelet: " + LogText.Escape(string.Join(", ", oldest)));
        NativeSidecarsChanged?.Invoke(native);
    }

    [LoggerMessage(EventId = 42, Level = LogLevel.Warning, Message = "The nodes could not be listed in {Seconds} s (see the watch's warnings; RBAC needs list and watch on nodes): ready with classic sidecars, which every kubelet runs, until they are")]
    private static partial void LogNodesUnlisted(ILogger logger, double seconds);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "Sidecars are now {Mode} ({NodeCount} nodes; {Why})")]
    private static partial void LogNative(ILogger logger, string mode, int nodeCount, string why);
}

/// <summary>What is kept of a namespace: its annotations (OpenShift's UID ranges) and labels (what a namespaceSelector sees).</summary>
public sealed record NamespaceMetadata(IReadOnlyDictionary<string, string> Annotations, IReadOnlyDictionary<string, string> Labels)
{
    public static NamespaceMetadata Of(JsonObject ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var metadata = ns["metadata"] as JsonObject;
        return new NamespaceMetadata(Strings(metadata?["annotations"]), Strings(metadata?["labels"]));
    }

    /// <summary>A map of strings (labels, annotations); values of another type are left out.</summary>
    private static Dictionary<string, string> Strings(JsonNode? map)
    {
        var strings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in map as JsonObject ?? [])
        {
            if (JsonText.Of(value) is { } text)
            {
                strings[key] = text;
            }
        }

        return strings;
    }
}
