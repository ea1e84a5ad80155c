using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Injector.Webhook.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook.Tests;

/// <summary>
/// A small API server on 127.0.0.1 for the cluster code: nodes and namespaces (get, list, watch with resourceVersions,
/// bookmarks ignored), Events (create, patch, list), ReplicaSets and Jobs (get). Objects are raw JSON, as the real one
/// sends them.
/// </summary>
internal sealed class FakeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, JsonObject>> _store = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Channel<string>, string> _watchers = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly List<(long Version, string Resource, string Line)> _log = [];
    private readonly Lock _logLock = new();
    private long _version = 100;

    private FakeApiServer(WebApplication app) => _app = app;

    public KubeApi Client { get; private set; } = null!;

    /// <summary>Every request, as "METHOD path?query".</summary>
    public IReadOnlyCollection<string> Requests => _requests;

    /// <summary>List pages served so far (every list and every page of one).</summary>
    public int ListPages { get; private set; }

    /// <summary>Answer event writes with this status instead (403: the RBAC is missing).</summary>
    public HttpStatusCode? EventWriteStatus { get; set; }

    /// <summary>Delay every event write by this long (a slow API server).</summary>
    public TimeSpan EventWriteDelay { get; set; }

    public static async Task<FakeApiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var server = new FakeApiServer(builder.Build());
        server.Map();
        await server._app.StartAsync();
        server.Client = new KubeApi(new Uri(server._app.Urls.First()));
        return server;
    }

    /// <summary>Adds or replaces a node with this kubelet version (watchers see ADDED or MODIFIED).</summary>
    public void PutNode(string name, string kubeletVersion) =>
        Put("nodes", name, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["status"] = new JsonObject { ["nodeInfo"] = new JsonObject { ["kubeletVersion"] = kubeletVersion } },
        });

    public void DeleteNode(string name) => Delete("nodes", name);

    public void PutNamespace(string name, JsonObject? labels = null, JsonObject? annotations = null) =>
        Put("namespaces", name, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels ?? [], ["annotations"] = annotations ?? [] },
        });

    /// <summary>A ReplicaSet owned by a Deployment (what the event recorder reads to find the Deployment's uid).</summary>
    public void PutReplicaSet(string ns, string name, string uid, string deployment, string deploymentUid) =>
        Put($"replicasets/{ns}", name, new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "ReplicaSet",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = ns,
                ["uid"] = uid,
                ["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["name"] = deployment, ["uid"] = deploymentUid, ["controller"] = true }),
            },
        });

    /// <summary>The Events written to a namespace.</summary>
    public IReadOnlyList<JsonObject> Events(string ns) =>
        _store.TryGetValue($"events/{ns}", out var events) ? [.. events.Values.Select(e => (JsonObject)e.DeepClone())] : [];

    /// <summary>Ends every open watch with a 410 Gone ERROR event, as the API server does when a version is too old.</summary>
    public void ExpireWatches()
    {
        foreach (var watcher in _watchers.Keys)
        {
            watcher.Writer.TryWrite("""{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version","reason":"Expired","code":410}}""");
        }
    }

    /// <summary>Ends every open watch normally, as the API server does at the watch's timeout.</summary>
    public void CloseWatches()
    {
        foreach (var watcher in _watchers.Keys)
        {
            watcher.Writer.TryComplete();
        }
    }

    /// <summary>How many watches are open on a resource ("nodes").</summary>
    public int OpenWatches(string resource) => _watchers.Values.Count(r => r == resource);

    public async ValueTask DisposeAsync()
    {
        foreach (var watcher in _watchers.Keys)
        {
            watcher.Writer.TryComplete();
        }

        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Map()
    {
        _app.Use(async (context, next) =>
        {
            _requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            await next(context);
        });
        _app.MapGet("/api/v1/nodes", context => ListOrWatch(context, "nodes", "NodeList"));
        _app.MapGet("/api/v1/namespaces", context => ListOrWatch(context, "namespaces", "NamespaceList"));
        _app.MapGet("/api/v1/namespaces/{name}", (string name) => Get("namespaces", name));
        _app.MapGet("/apis/apps/v1/namespaces/{ns}/replicasets/{name}", (string ns, string name) => Get($"replicasets/{ns}", name));
        _app.MapGet("/apis/batch/v1/namespaces/{ns}/jobs/{name}", (string ns, string name) => Get($"jobs/{ns}", name));
        _app.MapPost("/api/v1/namespaces/{ns}/events", async (HttpContext context, string ns) =>
        {
            if (await EventWriteRefused() is { } refused)
            {
                return refused;
            }

            var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
            var name = body["metadata"]?["name"]?.GetValue<string>() ?? $"event-{Interlocked.Increment(ref _version)}";
            body["metadata"]!["name"] = name;
            if (Objects($"events/{ns}").ContainsKey(name))
            {
                return Status(HttpStatusCode.Conflict, "AlreadyExists");
            }

            Put($"events/{ns}", name, body);
            return Results.Text(body.ToJsonString(), "application/json", Encoding.UTF8, StatusCodes.Status201Created);
        });
        _app.MapMethods("/api/v1/namespaces/{ns}/events/{name}", ["PATCH"], async (HttpContext context, string ns, string name) =>
        {
            if (await EventWriteRefused() is { } refused)
            {
                return refused;
            }

            if (!Objects($"events/{ns}").TryGetValue(name, out var existing))
            {
                return Status(HttpStatusCode.NotFound, "NotFound");
            }

            // A merge patch (RFC 7386) of the fields the recorder changes.
            var patch = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
            var updated = (JsonObject)existing.DeepClone();
            foreach (var (key, value) in patch)
            {
                updated[key] = value?.DeepClone();
            }

            Put($"events/{ns}", name, updated);
            return Results.Text(updated.ToJsonString(), "application/json", Encoding.UTF8);
        });
    }

    private async Task<IResult?> EventWriteRefused()
    {
        if (EventWriteDelay > TimeSpan.Zero)
        {
            await Task.Delay(EventWriteDelay);
        }

        return EventWriteStatus is { } status ? Status(status, "Forbidden") : null;
    }

    private ConcurrentDictionary<string, JsonObject> Objects(string resource) =>
        _store.GetOrAdd(resource, _ => new ConcurrentDictionary<string, JsonObject>(StringComparer.Ordinal));

    private IResult Get(string resource, string name) =>
        Objects(resource).TryGetValue(name, out var item)
            ? Results.Text(item.ToJsonString(), "application/json", Encoding.UTF8)
            : Status(HttpStatusCode.NotFound, "NotFound");

    private async Task ListOrWatch(HttpContext context, string resource, string listKind)
    {
        if (context.Request.Query["watch"] != "true")
        {
            // Pages as the API server gives them: limit, and a continue token (here: the offset) while more remain.
            var all = Objects(resource).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value).ToList();
            var from = int.TryParse(context.Request.Query["continue"], out var offset) ? offset : 0;
            var limit = int.TryParse(context.Request.Query["limit"], out var l) && l > 0 ? l : int.MaxValue;
            var page = all.Skip(from).Take(limit).ToList();
            ListPages++;
            var metadata = new JsonObject { ["resourceVersion"] = $"{Interlocked.Read(ref _version)}" };
            if (from + page.Count < all.Count)
            {
                metadata["continue"] = $"{from + page.Count}";
            }

            var list = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = listKind,
                ["metadata"] = metadata,
                ["items"] = new JsonArray([.. page.Select(v => v.DeepClone())]),
            };
            await Results.Text(list.ToJsonString(), "application/json", Encoding.UTF8).ExecuteAsync(context);
            return;
        }

        var channel = Channel.CreateUnbounded<string>();
        lock (_logLock)
        {
            // A watch from a resourceVersion first gets every change after it, as the API server replays them.
            var from = long.TryParse(context.Request.Query["resourceVersion"], out var v) ? v : long.MaxValue;
            foreach (var (version, watched, line) in _log)
            {
                if (watched == resource && version > from)
                {
                    channel.Writer.TryWrite(line);
                }
            }

            _watchers[channel] = resource;
        }

        try
        {
            context.Response.ContentType = "application/json";
            await context.Response.StartAsync(context.RequestAborted);
            await foreach (var line in channel.Reader.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.WriteAsync(line + "\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                if (line.Contains("\"ERROR\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
        finally
        {
            _watchers.TryRemove(channel, out _);
        }
    }

    private void Put(string resource, string name, JsonObject item)
    {
        var version = Interlocked.Increment(ref _version);
        item["metadata"]!["resourceVersion"] = $"{version}";
        var added = !Objects(resource).ContainsKey(name);
        Objects(resource)[name] = item;
        Broadcast(resource, added ? "ADDED" : "MODIFIED", item);
    }

    private void Delete(string resource, string name)
    {
        if (Objects(resource).TryRemove(name, out var item))
        {
            item["metadata"]!["resourceVersion"] = $"{Interlocked.Increment(ref _version)}";
            Broadcast(resource, "DELETED", item);
        }
    }

    private void Broadcast(string resource, string type, JsonObject item)
    {
        var line = new JsonObject { ["type"] = type, ["object"] = item.DeepClone() }.ToJsonString();
        lock (_logLock)
        {
            _log.Add((long.Parse(item["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture), resource, line));
            foreach (var (watcher, watched) in _watchers)
            {
                if (watched == resource)
                {
                    watcher.Writer.TryWrite(line);
                }
            }
        }
    }

    private static IResult Status(HttpStatusCode code, string reason) =>
        Results.Text($$"""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"{{reason}}","code":{{(int)code}}}""", "application/json", Encoding.UTF8, (int)code);
}
