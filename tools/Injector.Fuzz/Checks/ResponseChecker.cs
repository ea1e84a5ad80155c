using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Injector.Fuzz.Cases;
using Injector.Fuzz.Running;

namespace Injector.Fuzz.Checks;

/// <summary>Something wrong with one answer: a kind to group by and a short, printable description.</summary>
internal sealed record Finding(string Kind, string Description);

/// <summary>How a 200 answer ended, for the statistics (not findings).</summary>
internal enum ReviewOutcome
{
    NotReviewed,
    Injected,
    AllowedWithoutPatch,
    Denied,
    Unparsed,
}

/// <summary>What the checks found in one answer, with the patched pod when a patch applied.</summary>
internal sealed class CheckResult
{
    public List<Finding> Findings { get; } = [];

    public ReviewOutcome Outcome { get; set; } = ReviewOutcome.NotReviewed;

    /// <summary>The pod with the returned (non-empty) patch applied.</summary>
    public JsonObject? PatchedPod { get; set; }

    /// <summary>A patch came back for a pod the fuzzer could not rebuild exactly, so whether it applies is unknown.</summary>
    public bool PatchUnverified { get; set; }

    public void Add(string kind, string description) => Findings.Add(new Finding(kind, description));
}

/// <summary>The HTTP contract of <c>POST /inject</c>, checked answer by answer.</summary>
internal static class ResponseChecker
{
    public const double SlowMilliseconds = 1000;
    private const int MaxExcerpt = 160;

    public static CheckResult Check(FuzzCase c, Exchange x)
    {
        var result = new CheckResult();
        var size = $"{c.Body.Length.ToString("N0", CultureInfo.InvariantCulture)}-byte body";
        switch (x.Failure)
        {
            case ExchangeFailure.Cancelled:
                return result;
            case ExchangeFailure.Timeout:
                result.Add("timeout", $"{size}: {x.Error}");
                return result;
            case ExchangeFailure.Connection:
                result.Add(c.ExpectedStatus == 400 && c.Body.Length > 0 ? "oversize-connection-dropped" : "connection-error", $"{size}: {x.Error}");
                return result;
        }

        if (x.Milliseconds > SlowMilliseconds)
        {
            result.Add("slow-response", $"{x.Milliseconds:F0} ms for a {size} (status {x.Status})");
        }

        var status = x.Status ?? 0;
        if (status == 503)
        {
            result.Add("http-503", $"{size}: {Excerpt(x.Body)}");
            return result;
        }

        if (status >= 500)
        {
            result.Add("http-5xx", $"HTTP {status} for a {size}: {Excerpt(x.Body)}");
            return result;
        }

        if (status != c.ExpectedStatus)
        {
            result.Add("unexpected-status", $"HTTP {status}, want {c.ExpectedStatus}, {size} ({x.Protocol}): {Excerpt(x.Body)}");
            if (status != 200)
            {
                if (c.ExpectInjected)
                {
                    result.Add("normal-request-failed", $"HTTP {status}: {Excerpt(x.Body)}");
                }

                return result;
            }
        }

        if (status != 200)
        {
            return result;
        }

        CheckReview(c, x, result);
        return result;
    }

    private static void CheckReview(FuzzCase c, Exchange x, CheckResult result)
    {
        JsonObject? response;
        try
        {
            response = JsonNode.Parse(x.Body)?["response"] as JsonObject;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            response = null;
        }

        if (response is null || response["allowed"] is not JsonValue allowedValue || !allowedValue.TryGetValue<bool>(out var allowed))
        {
            result.Outcome = ReviewOutcome.Unparsed;
            result.Add("bad-response", $"200 without an AdmissionReview response with a boolean allowed{(x.BodyCapped ? " (over 32 MiB)" : "")}: {Excerpt(x.Body)}");
            FailNormal(c, result, "answer did not parse");
            return;
        }

        var uid = Text(response, "uid");
        var message = Text(response["status"], "message");
        if (c.Decodable && c.Uid is not null && uid != c.Uid)
        {
            result.Add("uid-not-echoed", $"uid {Quote(uid)} for {Quote(c.Uid)}; allowed {allowed.ToString().ToLowerInvariant()}, message {Quote(message)}");
        }

        if (!allowed && string.IsNullOrEmpty(message))
        {
            result.Add("denied-without-message", "allowed false and no status.message");
        }

        // The server's own words for an exception it caught: the pod was refused because of a bug, not a rule.
        if (!allowed && message is not null && message.Contains("internal error (", StringComparison.Ordinal))
        {
            result.Add("internal-error", Cut(message));
        }

        var patch = ReadPatch(response, result);
        result.Outcome = !allowed ? ReviewOutcome.Denied : patch is { Count: > 0 } ? ReviewOutcome.Injected : ReviewOutcome.AllowedWithoutPatch;
        if (patch is { Count: > 0 })
        {
            if (!allowed)
            {
                result.Add("patch-on-denied", $"a {patch.Count}-operation patch with allowed false");
            }

            if (c.ExpectNoPatch)
            {
                result.Add("unexpected-patch", $"a {patch.Count}-operation patch for a request that is not a pod creation");
            }

            ApplyPatch(c, patch, result);
        }

        if (c.ExpectInjected && !(allowed && patch is { Count: > 0 } && result.PatchedPod is not null))
        {
            FailNormal(c, result, !allowed ? $"denied: {Cut(message)}" : patch is not { Count: > 0 } ? "allowed without a patch" : "the patch did not apply");
        }

        if (c.ExpectNoop && (!allowed || patch is { Count: > 0 }))
        {
            result.Add("reinjection-not-noop", !allowed
                ? $"re-injection denied: {Cut(message)}"
                : $"re-injection returned a {patch!.Count}-operation patch: {Cut(string.Join(", ", patch.OfType<JsonObject>().Take(6).Select(o => $"{Text(o, "op")} {Text(o, "path")}")))}");
        }
    }

    /// <summary>The decoded patch: null when none came back; a finding when it is not base64 of a JSON array.</summary>
    private static JsonArray? ReadPatch(JsonObject response, CheckResult result)
    {
        if (!response.TryGetPropertyValue("patch", out var patchNode) || patchNode is null)
        {
            return null;
        }

        if (Text(response, "patchType") != "JSONPatch")
        {
            result.Add("bad-patch-type", $"patch with patchType {Quote(Text(response, "patchType"))}");
        }

        try
        {
            var bytes = Convert.FromBase64String(patchNode.GetValue<string>());
            if (JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { MaxDepth = 1024 }) is JsonArray array)
            {
                return array;
            }

            result.Add("patch-invalid", "the patch is not a JSON array");
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            result.Add("patch-invalid", $"the patch is not base64 of JSON: {e.GetType().Name}");
        }

        return null;
    }

    private static void ApplyPatch(FuzzCase c, JsonArray patch, CheckResult result)
    {
        var original = c.PodApproximate ? Reparse(c) : c.Pod;
        if (original is null)
        {
            result.PatchUnverified = true;
            return;
        }

        JsonNode? document = original.DeepClone();
        if (!JsonPatchApplier.TryApply(ref document, patch, out var error))
        {
            result.Add("patch-does-not-apply", error);
            return;
        }

        if (document is not JsonObject patched)
        {
            result.Add("patch-does-not-apply", "the patched pod is not an object");
            return;
        }

        result.PatchedPod = patched;
        var before = Duplicates(original);
        var introduced = Duplicates(patched).Where(name => !before.Contains(name)).ToList();
        if (introduced.Count > 0)
        {
            result.Add("duplicate-container-name", $"after the patch, {string.Join(", ", introduced)} appears more than once in containers+initContainers");
        }
    }

    /// <summary>Container names (containers and initContainers together) that occur more than once.</summary>
    private static HashSet<string> Duplicates(JsonObject pod)
    {
        var spec = pod["spec"] as JsonObject;
        var names = new[] { "containers", "initContainers" }
            .SelectMany(list => spec?[list] as JsonArray ?? [])
            .Select(container => Text(container, "name"))
            .OfType<string>();
        return [.. names.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key)];
    }

    /// <summary>The pod as the server saw it, re-read from the body (spliced text included); null when it cannot be.</summary>
    private static JsonObject? Reparse(FuzzCase c)
    {
        if (c.Body is not BytesBody { Bytes.Length: < 8 * 1024 * 1024 } body)
        {
            return null;
        }

        try
        {
            var review = JsonNode.Parse(body.Bytes, documentOptions: new JsonDocumentOptions { MaxDepth = 2048 });
            return (review?["request"]?["object"] as JsonObject)?.DeepClone() as JsonObject;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    private static void FailNormal(FuzzCase c, CheckResult result, string why)
    {
        if (c.ExpectInjected)
        {
            result.Add("normal-request-failed", why);
        }
    }

    private static string? Text(JsonNode? node, string key) =>
        node is JsonObject obj && obj.TryGetPropertyValue(key, out var value) && value is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;

    private static string Quote(string? text) => text is null ? "(none)" : JsonValue.Create(Cut(text)).ToJsonString(AdmissionReviews.TextOptions);

    private static string Cut(string? text) => text is null ? "" : text.Length > MaxExcerpt ? text[..MaxExcerpt] + "…" : text;

    private static string Excerpt(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, MaxExcerpt * 2)).Trim();
        return Quote(text);
    }
}
