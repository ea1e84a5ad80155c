using System.Text.Json;
using System.Text.Json.Nodes;
using Injector.Core;
using Injector.Core.Kube;
using Injector.Core.Workloads;
using Injector.Documents;
using Microsoft.AspNetCore.Http;

namespace Injector.Webhook.Console;

/// <summary>
/// The console's JSON API, served only on the console listener (<c>--console-address</c>, plain HTTP, off by default):
/// <list type="bullet">
/// <item><c>POST /api/v1/explain</c> <c>{"manifest": YAML, "namespace": "default", "namespaceLabels": {..}}</c> → <c>{"explanations": [..]}</c>;</item>
/// <item><c>POST /api/v1/inject</c> <c>{"manifest": YAML}</c> → <c>{"output": YAML, "warnings": [..]}</c>, or a denial (kube-inject's preview);</item>
/// <item><c>GET /api/v1/config</c> → what is in force (revision, policy, templates, values, mesh, native sidecars,
/// generation, hash, load time, the last refused reload, the serving certificate);</item>
/// <item><c>GET /api/v1/decisions</c> → the last admission outcomes (<see cref="RecentDecisions"/>).</item>
/// </list>
/// Read-only towards the cluster; every request is bounded in size and parsed strictly.
/// </summary>
internal static class ConsoleApi
{
    /// <summary>The largest request body read: a manifest to preview, not a cluster dump.</summary>
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    /// <summary>Namespaces whose labels one explain reads from the cluster at most.</summary>
    private const int MaxNamespaces = 20;

    /// <summary>Pods and workloads one request may hold: a preview, not a cluster dump; the work per request stays small.</summary>
    public const int MaxPods = 100;

    /// <summary>How long one console request may work; the webhook shares the process and must not starve.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>Console requests at once: the console is a person's tool; a burst waits its turn or is told to retry.</summary>
    private static readonly SemaphoreSlim Slots = new(2, 2);

    /// <summary>
    /// Runs one console request within the bounds: a free slot (else 429), its deadline (then 503), and any failure of a
    /// manifest (a field of the wrong type, too many pods, YAML that does not parse) answered as 400 with the reason.
    /// </summary>
    private static async Task BoundedAsync(HttpContext context, Func<CancellationToken, Task> work)
    {
        if (!await Slots.WaitAsync(TimeSpan.FromSeconds(2), context.RequestAborted).ConfigureAwait(false))
        {
            await ProblemAsync(context, StatusCodes.Status429TooManyRequests, "the console is busy with other requests; try again").ConfigureAwait(false);
            return;
        }

        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            deadline.CancelAfter(Deadline);
            try
            {
                await work(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
            {
                await ProblemAsync(context, StatusCodes.Status503ServiceUnavailable, $"the request took longer than {Deadline.TotalSeconds:F0} s; send a smaller manifest").ConfigureAwait(false);
            }
            catch (ManifestException e)
            {
                await ProblemAsync(context, StatusCodes.Status400BadRequest, e.Message).ConfigureAwait(false);
            }
            catch (YamlFormatException e)
            {
                await ProblemAsync(context, StatusCodes.Status400BadRequest, $"the manifest does not parse: {e.Message}").ConfigureAwait(false);
            }
        }
        finally
        {
            Slots.Release();
        }
    }

    /// <summary>With no <c>namespaceLabels</c> in the request and a cluster to ask, each namespace's own labels are read.</summary>
    public static async Task ExplainAsync(HttpContext context, IPodInjectorSource source, WebhookServerOptions options, Cluster.INamespaceLabels? cluster)
    {
        if (await ReadAsync(context).ConfigureAwait(false) is not { } body)
        {
            return;
        }

        if (source.Current is not PodInjector injector)
        {
            await ProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "no injector is loaded").ConfigureAwait(false);
            return;
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in body["namespaceLabels"] as JsonObject ?? [])
        {
            labels[key] = value?.ToString() ?? "";
        }

        await BoundedAsync(context, async ct =>
        {
            var defaultNamespace = Text(body, "namespace") is { Length: > 0 } ns ? ns : "default";
            var pods = ManifestExplainer.Pods(Text(body, "manifest"), defaultNamespace, YamlLimits.Default, MaxPods);
            var perNamespace = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
            if (body["namespaceLabels"] is null && cluster is not null)
            {
                // At most a few namespaces a manifest: each read once, cached by the reader.
                foreach (var name in pods.Select(p => p.Namespace).Distinct(StringComparer.Ordinal).Take(MaxNamespaces))
                {
                    perNamespace[name] = await cluster.GetLabelsAsync(name, ct).ConfigureAwait(false) ?? new Dictionary<string, string>();
                }
            }

            var explanations = ManifestExplainer.Explain(injector, pods, n => perNamespace.GetValueOrDefault(n) ?? labels, options.WebhookConfiguration, ct);
            await WriteAsync(context, StatusCodes.Status200OK, new JsonObject { ["explanations"] = ManifestExplainer.ToJson(explanations) }).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    public static async Task InjectAsync(HttpContext context, IPodInjectorSource source)
    {
        if (await ReadAsync(context).ConfigureAwait(false) is not { } body)
        {
            return;
        }

        await BoundedAsync(context, async ct =>
        {
            var manifest = Text(body, "manifest");
            // Counted first, within the console's YAML bounds (kube-inject reads with the CLI's larger ones): the
            // injection below then does a bounded amount of work.
            ManifestExplainer.Pods(manifest, "default", YamlLimits.Default, MaxPods);
            var result = KubeInject.Run(manifest, source.Current, null, ct);
            ct.ThrowIfCancellationRequested();
            var answer = new JsonObject { ["warnings"] = new JsonArray([.. result.Warnings.Select(w => (JsonNode)w)]) };
            if (result.Denial is { } denial)
            {
                answer["denied"] = new JsonObject { ["reason"] = denial.Code, ["message"] = denial.Message };
            }
            else
            {
                answer["output"] = result.Output;
            }

            await WriteAsync(context, StatusCodes.Status200OK, answer).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST /api/v1/annotate</c> <c>{"manifest": YAML, "annotations": {name: value or null}}</c>: the settings the
    /// Configure page edits, checked with the webhook's own annotation rules, written into every pod template of the
    /// manifest (null removes one) → <c>{"manifest": YAML}</c>, or <c>{"error": …}</c> naming the bad annotation and value.
    /// </summary>
    public static async Task AnnotateAsync(HttpContext context)
    {
        if (await ReadAsync(context).ConfigureAwait(false) is not { } body)
        {
            return;
        }

        var wanted = body["annotations"] as JsonObject ?? [];
        var check = new JsonObject();
        foreach (var (key, value) in wanted)
        {
            if (value is not null)
            {
                check[key] = value.ToString();
            }
        }

        if (Core.Policy.AnnotationValidation.Validate(check) is { } invalid)
        {
            await WriteAsync(context, StatusCodes.Status422UnprocessableEntity, new JsonObject { ["error"] = invalid }).ConfigureAwait(false);
            return;
        }

        await BoundedAsync(context, async _ =>
        {
            List<JsonNode?> documents = [.. GoYaml.ParseAll(Text(body, "manifest"), YamlLimits.Default)];
            if (ManifestExplainer.Bounded(WorkloadPods.Of(documents.OfType<JsonObject>(), "default"), MaxPods).Count == 0)
            {
                await ProblemAsync(context, StatusCodes.Status400BadRequest, "the manifest has no pod or workload to annotate").ConfigureAwait(false);
                return;
            }

            foreach (var document in documents.OfType<JsonObject>())
            {
                Annotate(document, wanted);
            }

            var output = string.Concat(documents.Select(d => GoYaml.Write(d) + "---\n"));
            await WriteAsync(context, StatusCodes.Status200OK, new JsonObject { ["manifest"] = output }).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>Sets the annotations on the pod templates of a document (Lists too).</summary>
    /// <remarks>The documents' shapes were checked when their pods were counted.</remarks>
    private static void Annotate(JsonObject document, JsonObject wanted)
    {
        if (document["kind"]?.ToString() == "List")
        {
            foreach (var item in (document["items"] as JsonArray ?? []).OfType<JsonObject>())
            {
                Annotate(item, wanted);
            }

            return;
        }

        if (PodTemplateLocation.Find(document) is not { } location)
        {
            return;
        }

        var pod = location.ReadPod();
        var annotations = PodJson.Annotations(pod);
        foreach (var (key, value) in wanted)
        {
            if (value is null)
            {
                annotations.Remove(key);
            }
            else
            {
                annotations[key] = value.ToString();
            }
        }

        location.WritePod(pod);
    }

    public static Task ConfigAsync(HttpContext context, IPodInjectorSource source, CertificateReloader certificates)
    {
        var current = source.Current as PodInjector;
        var settings = current?.Settings;
        var reloading = source as ReloadingInjectorSource;
        var status = reloading?.Status;
        var certificate = certificates.Current;
        var answer = new JsonObject
        {
            ["revision"] = settings?.Revision,
            ["policy"] = settings?.Config.Policy,
            ["defaultTemplates"] = new JsonArray([.. (settings?.Config.DefaultTemplates ?? []).Select(t => (JsonNode)t)]),
            ["templates"] = new JsonArray([.. (settings?.Config.Templates.Keys ?? []).Order(StringComparer.Ordinal).Select(t => (JsonNode)t)]),
            ["templateSources"] = new JsonObject([.. (settings?.TemplateSources ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]),
            ["nativeSidecars"] = settings?.NativeSidecars,
            ["platform"] = settings?.Platform,
            ["values"] = settings?.Values.DeepClone(),
            ["mesh"] = settings?.Mesh.DeepClone(),
            ["generation"] = reloading?.Generation,
            ["hash"] = status?.Hash,
            ["loadedAt"] = status?.LoadedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["lastRefused"] = status?.LastRefused is { } refused
                ? new JsonObject { ["hash"] = refused.Hash, ["at"] = refused.At.ToString("O", System.Globalization.CultureInfo.InvariantCulture), ["reason"] = refused.Reason }
                : null,
            ["files"] = new JsonArray([.. (reloading?.Files ?? []).Select(f => (JsonNode)f)]),
            ["certificate"] = certificate is null ? null : new JsonObject
            {
                ["subject"] = certificate.Subject,
                ["notAfter"] = certificate.NotAfter.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            },
        };
        return WriteAsync(context, StatusCodes.Status200OK, answer);
    }

    /// <summary>The request's JSON object, bounded; null when the answer (an error) has been written.</summary>
    private static async Task<JsonObject?> ReadAsync(HttpContext context)
    {
        // A page on another origin can send text/plain without a preflight, never application/json: this refuses it.
        if (!(context.Request.ContentType ?? "").StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await ProblemAsync(context, StatusCodes.Status415UnsupportedMediaType, "want Content-Type: application/json").ConfigureAwait(false);
            return null;
        }

        if (context.Request.ContentLength > MaxBodyBytes)
        {
            await ProblemAsync(context, StatusCodes.Status413PayloadTooLarge, $"the request is larger than {MaxBodyBytes} bytes").ConfigureAwait(false);
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                await ProblemAsync(context, StatusCodes.Status413PayloadTooLarge, $"the request is larger than {MaxBodyBytes} bytes").ConfigureAwait(false);
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            if (StrictJson.Parse(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length)) is JsonObject body && body["manifest"] is JsonValue manifest && manifest.GetValueKind() == JsonValueKind.String)
            {
                return body;
            }
        }
        catch (JsonException)
        {
            // Answered below, as for any body that is not the expected object.
        }

        await ProblemAsync(context, StatusCodes.Status400BadRequest, "want a JSON object with a \"manifest\" string (YAML or JSON of the workloads)").ConfigureAwait(false);
        return null;
    }

    private static string Text(JsonObject body, string key) => body[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    private static Task ProblemAsync(HttpContext context, int status, string message) =>
        WriteAsync(context, status, new JsonObject { ["error"] = message });

    private static async Task WriteAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        // The console's pages are same-origin; nothing else may read the answers or frame the pages.
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        await context.Response.WriteAsync(body.ToJsonString(ManifestExplainer.Indented), context.RequestAborted).ConfigureAwait(false);
    }
}
