using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Injector.Documents;
using Injector.Webhook.Cluster;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook.Events;

/// <summary>
/// Kubernetes Events about admissions, on the workload that owns the pod: <c>Injected</c> and <c>InjectionSkipped</c>
/// (Normal) and <c>InjectionDenied</c> (Warning), with the reason. Admissions are queued without waiting (a full queue
/// drops them, counted) and written by one background loop that aggregates: every admission of the same workload,
/// type, reason and message within <see cref="EventTtl"/> is one Event whose <c>count</c> goes up, written at most once
/// per <see cref="FlushInterval"/>, so a 1,000-replica rollout writes one Event and a handful of patches. A failed write
/// is logged and dropped: it never delays or fails an admission. Dry runs never get here (the endpoint skips them).
/// </summary>
public sealed partial class AdmissionEvents : IAdmissionEventSink, IAsyncDisposable
{
    public const string InjectedReason = "Injected";
    public const string SkippedReason = "InjectionSkipped";
    public const string DeniedReason = "InjectionDenied";

    /// <summary>The Events' source component.</summary>
    public const string Component = "injector";

    /// <summary>Admissions waiting to be written, at most; past it they are dropped (the API server is slow or down).</summary>
    public const int QueueCapacity = 10_000;

    /// <summary>Aggregated Events remembered at most (one per workload, type, reason and message).</summary>
    public const int MaxTracked = 4096;

    /// <summary>The longest Event message (the API's events are meant to be short).</summary>
    public const int MaxMessageLength = 1024;

    private readonly KubeApi _client;
    private readonly WebhookMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly Channel<Item> _queue;
    private readonly Dictionary<EventKey, Tracked> _tracked = [];
    private readonly Dictionary<string, OwnerReference?> _owners = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _instance = Environment.MachineName;
    private Task? _loop;
    private int _disposed;
    private long _dropped;
    private DateTimeOffset _lastFailureLog = DateTimeOffset.MinValue;

    public AdmissionEvents(KubeApi client, ILogger<AdmissionEvents> logger, WebhookMetrics? metrics = null, TimeSpan? flushInterval = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _logger = logger;
        _metrics = metrics;
        FlushInterval = flushInterval ?? TimeSpan.FromSeconds(2);
        _queue = Channel.CreateBounded<Item>(new BoundedChannelOptions(QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });
    }

    /// <summary>How long admissions gather before their Events are written.</summary>
    public TimeSpan FlushInterval { get; }

    /// <summary>An aggregated Event is counted on for this long; then a new one starts (Kubernetes keeps Events for an hour).</summary>
    public static TimeSpan EventTtl { get; } = TimeSpan.FromMinutes(10);

    /// <summary>Admissions dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues an admission for an Event; returns at once.</summary>
    public void Add(AdmissionOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.DryRun || outcome.Subject is null || outcome.Kind is not (AdmissionOutcomeKind.Injected or AdmissionOutcomeKind.Skipped or AdmissionOutcomeKind.Denied))
        {
            return;
        }

        // Only what the Event says is queued, never the answer (its patch can be large).
        if (!_queue.Writer.TryWrite(new Item(EventKey.Of(outcome), outcome.Subject)))
        {
            Interlocked.Increment(ref _dropped);
            _metrics?.CountEvent("dropped");
        }
    }

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Writes what is gathered, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.Writer.TryComplete();
        if (_loop is not null)
        {
            // The loop drains and flushes once more; a stuck API server gets five seconds.
            await Task.WhenAny(_loop, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var pending = new Dictionary<EventKey, Pending>();
        var more = true;
        while (more && !ct.IsCancellationRequested)
        {
            try
            {
                // Wait for the first admission, then gather for one interval.
                more = await _queue.Reader.WaitToReadAsync(ct).ConfigureAwait(false);
                using (var window = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    window.CancelAfter(FlushInterval);
                    try
                    {
                        while (await _queue.Reader.WaitToReadAsync(window.Token).ConfigureAwait(false))
                        {
                            while (_queue.Reader.TryRead(out var outcome))
                            {
                                Gather(pending, outcome);
                            }
                        }

                        more = false;
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        // The interval is over.
                    }
                }

                while (_queue.Reader.TryRead(out var late))
                {
                    Gather(pending, late);
                }

                await FlushAsync(pending, ct).ConfigureAwait(false);
                pending.Clear();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The loop must outlive any one failure; the admission path never sees it.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogFailure("", e.Message);
                pending.Clear();
            }
        }
    }

    private static void Gather(Dictionary<EventKey, Pending> pending, Item item) =>
        pending[item.Key] = pending.TryGetValue(item.Key, out var seen) ? seen with { Count = seen.Count + 1 } : new Pending(item.Subject, 1);

    /// <summary>Each write gets this long: a hanging API server must not hold the loop (and fill the queue).</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    private static CancellationTokenSource Timeout(CancellationToken ct)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CallTimeout);
        return timeout;
    }

    private async Task FlushAsync(Dictionary<EventKey, Pending> pending, CancellationToken ct)
    {
        foreach (var (key, (subject, count)) in pending)
        {
            var now = DateTimeOffset.UtcNow;
            try
            {
                var target = await TargetAsync(subject, ct).ConfigureAwait(false);
                if (_tracked.TryGetValue(key, out var tracked) && now - tracked.First < EventTtl && tracked.Target == target)
                {
                    var total = tracked.Count + count;
                    var patch = new JsonObject { ["count"] = total, ["lastTimestamp"] = Timestamp(now) };
                    using (var timeout = Timeout(ct))
                    {
                        await _client.MergePatchAsync(EventsPath(subject.Namespace) + "/" + KubeApi.Segment(tracked.Name), patch, timeout.Token).ConfigureAwait(false);
                    }

                    _tracked[key] = tracked with { Count = total };
                    _metrics?.CountEvent("updated");
                    continue;
                }

                // A DNS subdomain of at most 253 characters: the workload's name (cut, without a trailing dot) and a unique suffix.
                var name = $"{key.Workload.Name[..Math.Min(key.Workload.Name.Length, 253 - 33)].TrimEnd('.', '-')}.{Guid.NewGuid():N}";
                using (var timeout = Timeout(ct))
                {
                    await _client.CreateAsync(EventsPath(subject.Namespace), New(name, key, target, count, now), timeout.Token).ConfigureAwait(false);
                }

                if (_tracked.Count >= MaxTracked)
                {
                    _tracked.Clear();
                }

                _tracked[key] = new Tracked(name, target, count, now);
                _metrics?.CountEvent("created");
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // A failed write (RBAC, a slow API server, an Event that expired) is logged and dropped.
            catch (Exception e)
#pragma warning restore CA1031
            {
                // An Event that expired or was deleted is started again next time.
                _tracked.Remove(key);
                _metrics?.CountEvent("failed");
                LogFailure($"{subject.Namespace}/{key.Workload.Name}", e.Message);
            }
        }
    }

    /// <summary>
    /// The object the Event is on: the workload above the pod's controller when it can be read (the Deployment behind
    /// a ReplicaSet, the CronJob behind a Job, whose uid <c>kubectl describe</c> matches), else the controller itself.
    /// </summary>
    private async Task<OwnerReference> TargetAsync(EventSubject subject, CancellationToken ct)
    {
        if (subject.IsController)
        {
            return subject.Controller;
        }

        var controller = subject.Controller;
        var cacheKey = $"{subject.Namespace}/{controller.Kind}/{controller.Name}/{controller.Uid}";
        if (_owners.TryGetValue(cacheKey, out var owner))
        {
            return owner ?? controller;
        }

        JsonObject? metadata;
        try
        {
            using var timeout = Timeout(ct);
            var path = (controller.Kind, controller.ApiVersion) switch
            {
                ("ReplicaSet", "apps/v1") => $"/apis/apps/v1/namespaces/{KubeApi.Segment(subject.Namespace)}/replicasets/{KubeApi.Segment(controller.Name)}",
                ("Job", "batch/v1") => $"/apis/batch/v1/namespaces/{KubeApi.Segment(subject.Namespace)}/jobs/{KubeApi.Segment(controller.Name)}",
                _ => null,
            };
            metadata = path is null ? null : (await _client.GetAsync(path, timeout.Token).ConfigureAwait(false))["metadata"] as JsonObject;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Not cached: the ReplicaSet may not be readable yet, or the API server was briefly slow.
            LogFailure($"{subject.Namespace}/{controller.Name}", $"cannot read the {controller.Kind} to find its owner ({e.Message}); the Event goes on the {controller.Kind}");
            return controller;
        }

        // Only the object the pod named (same uid) is followed up: a pod cannot point the Event at another workload.
        var owners = metadata is not null && JsonText.Of(metadata["uid"]) == controller.Uid ? metadata["ownerReferences"] as JsonArray : null;
        var top = owners?.OfType<JsonObject>().FirstOrDefault(o =>
            o["controller"] is JsonValue c && c.TryGetValue<bool>(out var isController) && isController
            && JsonText.Of(o["kind"]) == subject.Workload.Kind && JsonText.Of(o["name"]) == subject.Workload.Name);
        owner = top is null || JsonText.Of(top["apiVersion"]) is not { } apiVersion || JsonText.Of(top["uid"]) is not { } uid
            ? null
            : new OwnerReference(apiVersion, subject.Workload.Kind, subject.Workload.Name, uid);
        if (_owners.Count >= MaxTracked)
        {
            _owners.Clear();
        }

        _owners[cacheKey] = owner;
        return owner ?? controller;
    }

    private JsonObject New(string name, EventKey key, OwnerReference target, int count, DateTimeOffset now) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Event",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = key.Namespace },
        ["involvedObject"] = new JsonObject
        {
            ["apiVersion"] = target.ApiVersion,
            ["kind"] = target.Kind,
            ["name"] = target.Name,
            ["namespace"] = key.Namespace,
            ["uid"] = target.Uid,
        },
        ["type"] = key.Type,
        ["reason"] = key.Reason,
        ["message"] = key.Message,
        ["count"] = count,
        ["firstTimestamp"] = Timestamp(now),
        ["lastTimestamp"] = Timestamp(now),
        ["source"] = new JsonObject { ["component"] = Component },
        ["reportingComponent"] = Component,
        ["reportingInstance"] = _instance,
    };

    private static string EventsPath(string ns) => $"/api/v1/namespaces/{KubeApi.Segment(ns)}/events";

    private static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Failures are logged at most once a minute, with how many admissions were dropped meanwhile.</summary>
    private void LogFailure(string what, string reason)
    {
        var now = DateTimeOffset.UtcNow;
        if (now - _lastFailureLog < TimeSpan.FromMinutes(1))
        {
            return;
        }

        _lastFailureLog = now;
        LogWriteFailed(_logger, LogText.Escape(what), LogText.Escape(reason, 512), Dropped);
    }

    [LoggerMessage(EventId = 50, Level = LogLevel.Warning, Message = "Could not record an injection Event on {Workload}: {Reason} (the admission was answered; {Dropped} admissions dropped from a full queue so far; failures are logged at most once a minute)")]
    private static partial void LogWriteFailed(ILogger logger, string workload, string reason, long dropped);

    /// <summary>What makes admissions one Event: the workload, the type, the reason and the message.</summary>
    private sealed record EventKey(string Namespace, Core.WorkloadIdentity Workload, string ControllerUid, string Type, string Reason, string Message)
    {
        public static EventKey Of(AdmissionOutcome outcome)
        {
            var subject = outcome.Subject!;
            var (type, reason, message) = outcome.Kind switch
            {
                AdmissionOutcomeKind.Injected => ("Normal", InjectedReason, $"Injected the sidecar (templates {outcome.Templates}; revision {outcome.Revision}): {outcome.Sentence} ({outcome.Code})"),
                AdmissionOutcomeKind.Skipped => ("Normal", SkippedReason, $"Not injected (revision {outcome.Revision}): {outcome.Sentence} ({outcome.Code})"),
                _ => ("Warning", DeniedReason, $"Pod creation denied ({outcome.Code}; revision {outcome.Revision}): {outcome.Message}"),
            };
            return new EventKey(subject.Namespace, subject.Workload, subject.Controller.Uid, type, reason, AdmissionResponses.Cut(message, MaxMessageLength, "…"));
        }
    }

    private sealed record Item(EventKey Key, EventSubject Subject);

    private sealed record Pending(EventSubject Subject, int Count);

    private sealed record Tracked(string Name, OwnerReference Target, int Count, DateTimeOffset First);
}
