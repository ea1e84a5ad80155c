using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using CsCheck;
using Injector.Core.Kube;
using Injector.Core.Policy;

namespace Injector.Core.Tests;

/// <summary>
/// Properties over thousands of generated valid pods (<see cref="RandomPods"/>), through both doors: the patch applies
/// with Microsoft's independent RFC 6902 implementation and gives the injected pod; no field the injector does not own
/// is removed or changed; the result is a valid pod; re-injecting it changes nothing.
/// </summary>
public sealed class InjectionProperties
{
    /// <summary>5,000 pods per door (about 8 s on two cores).</summary>
    private const int Pods = 5_000;

    [Theory]
    [InlineData(InjectionDoor.Webhook)]
    [InlineData(InjectionDoor.Cli)]
    public void Generated_pods_inject_validly_keep_what_they_own_and_reinject_to_nothing(InjectionDoor door)
    {
        var injector = Tests.Pods.Injector;
        var outcomes = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        RandomPods.Pod.Sample(
            pod =>
            {
                var problem = Check(injector, pod, door, out var code);
                outcomes.AddOrUpdate(code, 1, (_, n) => n + 1);
                if (problem is not null)
                {
                    throw new InvalidOperationException(problem);
                }
            },
            iter: Pods,
            print: p => p.ToJsonString());

        // The generator is not vacuous: most pods are injected.
        var injected = outcomes.Where(o => o.Key.StartsWith("injected:", StringComparison.Ordinal)).Sum(o => o.Value);
        Assert.True(injected > outcomes.Values.Sum() * 3 / 4, string.Join(", ", outcomes.Select(o => $"{o.Key}={o.Value}")));
    }

    [Fact]
    public void The_checks_catch_a_changed_field_a_bad_patch_and_a_reinjection_that_is_not_a_no_op()
    {
        var pod = Enumerable.Range(1, 100).Select(seed => RandomPods.Build(2, 1, seed))
            .First(p => p["spec"]?["hostNetwork"] is null && p["metadata"]!["labels"]!["sidecar.istio.io/inject"] is null && p["spec"]?["volumes"] is not null);

        Assert.Contains("does not own changed: /spec/containers/", Check(new Tampering(Tests.Pods.Injector, Tamper.AppImage), pod, InjectionDoor.Webhook, out _), StringComparison.Ordinal);
        Assert.Contains("independent RFC 6902", Check(new Tampering(Tests.Pods.Injector, Tamper.Patch), pod, InjectionDoor.Webhook, out _), StringComparison.Ordinal);
        Assert.Contains("re-injection is not a no-op", Check(new Tampering(Tests.Pods.Injector, Tamper.Reinjection), pod, InjectionDoor.Webhook, out _), StringComparison.Ordinal);
        Assert.Contains("injected pod is invalid", Check(new Tampering(Tests.Pods.Injector, Tamper.DuplicateVolume), pod, InjectionDoor.Webhook, out _), StringComparison.Ordinal);
        Assert.Null(Check(Tests.Pods.Injector, pod, InjectionDoor.Webhook, out _));
    }

    [Fact]
    public void Ownership_allows_reordering_and_additions_but_not_removals_or_changes()
    {
        var before = (JsonObject)JsonNode.Parse("""{"metadata":{"annotations":{"a":"1","sidecar.istio.io/status":"x"}},"spec":{"containers":[{"name":"a","image":"i"},{"name":"b","image":"j"}]}}""")!;
        var reordered = (JsonObject)JsonNode.Parse("""{"metadata":{"annotations":{"a":"1","new":"2"}},"spec":{"containers":[{"name":"istio-proxy"},{"name":"b","image":"j"},{"name":"a","image":"i","env":[]}]}}""")!;
        Assert.Empty(Ownership.Violations(before, reordered));

        var changed = (JsonObject)JsonNode.Parse("""{"metadata":{"annotations":{}},"spec":{"containers":[{"name":"a","image":"other"}]}}""")!;
        Assert.Equal(["/metadata/annotations/a was removed", "/spec/containers/a/image changed from \"i\" to \"other\"", "/spec/containers/b was removed"], Ownership.Violations(before, changed));
    }

    private enum Tamper
    {
        AppImage,
        Patch,
        Reinjection,
        DuplicateVolume,
    }

    /// <summary>The real injector with one deliberate fault, to show each property can fail.</summary>
    private sealed class Tampering(IPodInjector inner, Tamper fault) : IPodInjector
    {
        private int _calls;

        public bool ReadsNamespaceAnnotations => false;

        public InjectionResult Inject(InjectionRequest request, CancellationToken cancellationToken = default)
        {
            var result = inner.Inject(request, cancellationToken);
            if (result is not InjectionResult.Injected injected || Interlocked.Increment(ref _calls) > 1 && fault != Tamper.Reinjection)
            {
                return result;
            }

            var pod = (JsonObject)injected.Pod.DeepClone();
            switch (fault)
            {
                case Tamper.AppImage:
                    pod["spec"]!["containers"]!.AsArray().First(c => c!["name"]!.ToString() != PodJson.ProxyContainer)!["image"] = "tampered";
                    return injected with { Pod = pod, PatchJson = Documents.JsonPatchDiff.CreateUtf8(request.Pod, pod) };
                case Tamper.Patch:
                    return injected with { PatchJson = "[]"u8.ToArray() };
                case Tamper.DuplicateVolume:
                    pod["spec"]!["volumes"]!.AsArray().Add(pod["spec"]!["volumes"]![0]!.DeepClone());
                    return injected with { Pod = pod, PatchJson = Documents.JsonPatchDiff.CreateUtf8(request.Pod, pod) };
                default:
                    PodJson.Labels(pod)["tampered"] = _calls.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return injected with { Pod = pod, PatchJson = Documents.JsonPatchDiff.CreateUtf8(request.Pod, pod) };
            }
        }
    }

    /// <summary>Null when every property holds; otherwise the first violation.</summary>
    internal static string? Check(IPodInjector injector, JsonObject pod, InjectionDoor door, out string code)
    {
        var original = (JsonObject)pod.DeepClone();
        var result = injector.Inject(new InjectionRequest(pod, "default", door, []));
        code = $"{result.GetType().Name.ToLowerInvariant()}:{result.Code}";
        if (!JsonNode.DeepEquals(original, pod))
        {
            return "the injector changed the request's pod in place";
        }

        switch (result)
        {
            case InjectionResult.Denied denied:
                return $"a valid pod was denied ({denied.Code}): {denied.Message}{(denied.Cause is null ? "" : "\n" + denied.Cause)}";
            case InjectionResult.Skipped skipped:
                return skipped.Reason == SkipReason.HostNetwork || skipped.Reason == SkipReason.LabelDisabled
                    ? null
                    : $"skipped for an unexpected reason: {skipped.Code}";
        }

        var injected = (InjectionResult.Injected)result;
        var applied = Tests.Pods.ApplyPatch(original, injected.Patch);
        if (!JsonNode.DeepEquals(applied, injected.Pod))
        {
            return "the patch, applied by an independent RFC 6902 implementation, does not give the injected pod";
        }

        if (Ownership.Violations(original, injected.Pod).FirstOrDefault() is { } changed)
        {
            return $"a field the injector does not own changed: {changed}";
        }

        if (PodValidity.Problems(injected.Pod).FirstOrDefault() is { } invalid)
        {
            return $"the injected pod is invalid: {invalid}";
        }

        var again = injector.Inject(new InjectionRequest((JsonObject)injected.Pod.DeepClone(), "default", door, []));
        return again switch
        {
            InjectionResult.Injected { Patch.Count: 0 } => null,
            InjectionResult.Injected second => $"re-injection is not a no-op: {second.Patch.ToJsonString()[..Math.Min(600, second.Patch.ToJsonString().Length)]}",
            _ => $"re-injection gave {InjectionResults.Describe(again)}",
        };
    }
}

/// <summary>
/// What the injector owns, and the check that it changed nothing else: every field of the original pod is still there
/// with its value, except fields the injector owns. New fields are fine (that is the injection).
/// </summary>
internal static class Ownership
{
    /// <summary>
    /// Annotations the injector writes or rewrites: the status record, the Prometheus merge, recorded overrides, and
    /// what the built-in templates set (the grpc templates turn probe rewriting off; with CNI the effective traffic
    /// settings are written for the CNI plugin to read).
    /// </summary>
    private static readonly HashSet<string> OwnedAnnotations = new(StringComparer.Ordinal)
    {
        "sidecar.istio.io/status", "prometheus.io/scrape", "prometheus.io/port", "prometheus.io/path",
        "prometheus.istio.io/secure-port", "proxy.istio.io/overrides", "istio.io/rev", "sidecar.istio.io/rewriteAppHTTPProbers",
        "sidecar.istio.io/interceptionMode", "traffic.sidecar.istio.io/includeInboundPorts", "traffic.sidecar.istio.io/excludeInboundPorts",
        "traffic.sidecar.istio.io/includeOutboundIPRanges", "traffic.sidecar.istio.io/excludeOutboundIPRanges",
        "traffic.sidecar.istio.io/includeOutboundPorts", "traffic.sidecar.istio.io/excludeOutboundPorts",
    };

    /// <summary>Container fields the probe rewrite owns: app probes and lifecycle handlers are sent through the agent.</summary>
    private static readonly HashSet<string> OwnedContainerFields = new(StringComparer.Ordinal) { "readinessProbe", "livenessProbe", "startupProbe", "lifecycle" };

    private static readonly HashSet<string> InjectedContainers = new(StringComparer.Ordinal) { PodJson.ProxyContainer, PodJson.InitContainer, PodJson.ValidationContainer };

    public static IEnumerable<string> Violations(JsonObject original, JsonObject injected)
    {
        foreach (var v in Object(original, injected, "", OwnedAt))
        {
            yield return v;
        }
    }

    private static bool OwnedAt(string path) =>
        path.StartsWith("/metadata/annotations/", StringComparison.Ordinal) && OwnedAnnotations.Contains(path["/metadata/annotations/".Length..])
        || IsContainerField(path);

    private static bool IsContainerField(string path)
    {
        foreach (var list in new[] { "/spec/containers/", "/spec/initContainers/" })
        {
            if (path.StartsWith(list, StringComparison.Ordinal))
            {
                var rest = path[list.Length..].Split('/');
                if (InjectedContainers.Contains(rest[0]) || (rest.Length > 1 && OwnedContainerFields.Contains(rest[1])))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static IEnumerable<string> Object(JsonObject before, JsonObject after, string path, Func<string, bool> owned)
    {
        foreach (var (key, value) in before)
        {
            var at = $"{path}/{key}";
            if (owned(at))
            {
                continue;
            }

            if (!after.TryGetPropertyValue(key, out var now))
            {
                yield return $"{at} was removed";
                continue;
            }

            foreach (var v in Node(value, now, at, owned))
            {
                yield return v;
            }
        }
    }

    private static IEnumerable<string> Node(JsonNode? before, JsonNode? after, string path, Func<string, bool> owned)
    {
        switch (before)
        {
            case JsonObject o when after is JsonObject a:
                foreach (var v in Object(o, a, path, owned))
                {
                    yield return v;
                }

                yield break;
            case JsonArray list when after is JsonArray now && Named(list) && Named(now):
                // Lists of named items (containers, volumes, env, ports) may be reordered and grown; each item keeps its fields.
                var byName = now.OfType<JsonObject>().GroupBy(i => i["name"]!.ToString()).ToDictionary(g => g.Key, g => g.First());
                foreach (var item in list.OfType<JsonObject>())
                {
                    var name = item["name"]!.ToString();
                    var at = $"{path}/{name}";
                    if (owned(at))
                    {
                        continue;
                    }

                    if (!byName.TryGetValue(name, out var kept))
                    {
                        yield return $"{at} was removed";
                        continue;
                    }

                    foreach (var v in Object(item, kept, at, owned))
                    {
                        yield return v;
                    }
                }

                yield break;
            default:
                // A quantity written canonically ("0.25" as "250m") is the same quantity; the API server stores it so anyway.
                if (!JsonNode.DeepEquals(before, after) && !(path.Contains("/resources/", StringComparison.Ordinal) && SameQuantity(before, after)))
                {
                    yield return $"{path} changed from {Short(before)} to {Short(after)}";
                }

                yield break;
        }
    }

    private static bool SameQuantity(JsonNode? a, JsonNode? b) =>
        a is JsonValue && b is JsonValue && Quantity.Canonicalize(a.ToString()) is { } canonical && canonical == Quantity.Canonicalize(b.ToString());

    private static bool Named(JsonArray list) => list.Count > 0 && list.All(i => i is JsonObject o && o["name"] is JsonValue);

    private static string Short(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length > 120 ? text[..120] + "…" : text;
    }
}
