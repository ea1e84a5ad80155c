using System.Text;
using System.Text.Json.Nodes;
using Injector.Fuzz.Cases;

namespace Injector.Fuzz.Mutations;

/// <summary>Size as damage: JSON nesting 100 to 100,000 deep, strings of 100 kB to 2 MB, bodies either side of the 6 MiB limit.</summary>
internal static class SizeMutations
{
    /// <summary>Go's encoding/json refuses nesting beyond 10,000; deeper than that no decoder has to accept.</summary>
    private const int GoMaxDepth = 10_000;

    private static readonly int[] Depths = [100, 1000, 100_000];

    public static IEnumerable<Mutation> All()
    {
        yield return new Mutation("deep-nesting", 4, MutationStage.Tree, DeepNesting);
        yield return new Mutation("huge-string", 3, MutationStage.Final, HugeString);
        yield return new Mutation("body-near-limit", 2, MutationStage.Final, BodyNearLimit);
    }

    public static string Nested(bool arrays, int depth)
    {
        if (arrays)
        {
            return new string('[', depth) + new string(']', depth);
        }

        var text = new StringBuilder(depth * 6);
        text.Insert(0, "{\"a\":", depth).Append('0').Append('}', depth);
        return text.ToString();
    }

    private static Applied? DeepNesting(CaseDraft d, Random rng)
    {
        if (d.Request is not { } request)
        {
            return null;
        }

        var depth = rng.Pick(Depths);
        var arrays = rng.Chance(0.5);
        var raw = Nested(arrays, depth);
        var name = $"nest-{(arrays ? "array" : "object")}-{depth}";
        if (depth > GoMaxDepth)
        {
            d.Decodable = false;
        }

        var pod = d.Pod;
        string where;
        switch (rng.Next(5))
        {
            case 0 when pod is not null && PodNav.Object(pod, "spec") is { } spec:
                spec["fuzzNested"] = d.SpliceValue(raw);
                where = "spec.fuzzNested";
                break;
            case 1 when pod is not null && PodNav.Slots(pod, "/request/object") is { Count: > 0 } slots:
                var slot = rng.Pick(slots);
                slot.Set(d.SpliceValue(raw));
                where = slot.Pointer;
                break;
            case 2 when PodNav.Annotations(pod) is { } annotations:
                annotations["fuzz.example.com/nested"] = d.SpliceValue(raw);
                where = "an annotation value (not a string)";
                break;
            case 3:
                request["object"] = d.SpliceValue(raw);
                where = "request.object";
                break;
            default:
                request["options"] = d.SpliceValue(raw);
                where = "request.options";
                break;
        }

        return new Applied(name, $"{(arrays ? "arrays" : "objects")} {depth:N0} deep at {where}");
    }

    /// <summary>One string of 100 kB to 2 MB, streamed: an annotation, an env value, a name, the uid.</summary>
    private static Applied? HugeString(CaseDraft d, Random rng)
    {
        if (d.Fill is not null || d.Pod is not { } pod || d.Request is not { } request)
        {
            return null;
        }

        // Log-uniform between 100 kB and 2 MB.
        var bytes = Math.Clamp((long)(100_000 * Math.Exp(rng.NextDouble() * Math.Log(20))), 100_000, 2_000_000);
        var (pattern, patternName) = rng.Next(6) switch
        {
            0 => ("é", "é"),
            1 => ("\\n", "escaped newlines"),
            2 => ("0123456789", "digits"),
            3 => ("[", "'[' (unbalanced YAML flow)"),
            4 => ("\\u0000", "escaped NULs"),
            _ => ("a", "a"),
        };
        var patternBytes = Encoding.UTF8.GetBytes(pattern);
        var marker = d.NewMarker();
        string where;
        var containers = PodNav.Containers(pod);
        switch (rng.Next(6))
        {
            case 0 when containers.Count > 0:
                PodNav.EnsureArray(rng.Pick(containers), "env").Add(new JsonObject { ["name"] = "HUGE", ["value"] = marker });
                where = "env value";
                break;
            case 1 when containers.Count > 0:
                rng.Pick(containers)["image"] = "nginx:" + marker;
                where = "container image";
                break;
            case 2:
                request["uid"] = "uid-" + marker;
                d.Uid = "";
                d.Decodable = false;
                where = "request.uid (not compared)";
                break;
            case 3 when PodNav.Object(pod, "metadata") is { } metadata && PodNav.Ensure(metadata, "labels") is { } labels:
                labels["app"] = marker;
                where = "label app";
                break;
            default:
                if (PodNav.Annotations(pod) is not { } annotations)
                {
                    return null;
                }

                var key = rng.Pick(new[] { "fuzz.example.com/blob", AnnotationAttacks.ProxyConfig, "sidecar.istio.io/status", "prometheus.io/path", "traffic.sidecar.istio.io/includeOutboundIPRanges", "proxy.istio.io/overrides" });
                annotations[key] = marker;
                where = $"annotation {key}";
                break;
        }

        var repeats = bytes / patternBytes.Length;
        d.Fill = new FillSpec(marker, patternBytes, repeats);
        return new Applied("huge-string", $"{where}: {repeats * patternBytes.Length:N0} bytes of {patternName}");
    }

    /// <summary>A body of exactly the limit or a little under (accepted), or a little or far over (400, readable).</summary>
    private static Applied? BodyNearLimit(CaseDraft d, Random rng)
    {
        if (d.Fill is not null || PodNav.Annotations(d.Pod) is not { } annotations)
        {
            return null;
        }

        var over = rng.Chance(0.5);
        var total = over
            ? FuzzCase.BodyLimit + rng.Pick(new long[] { 1, 2, 100, 2 * 1024 * 1024, 10 * 1024 * 1024 })
            : FuzzCase.BodyLimit - rng.Pick(new long[] { 0, 1, 100, 4096 });
        var marker = d.NewMarker();
        annotations["fuzz.example.com/padding"] = marker;
        d.Fill = new FillSpec(marker, "a"u8.ToArray(), 0, total);
        if (over)
        {
            d.ExpectedStatus = 400;
            d.Decodable = false;
        }

        var transport = "Content-Length";
        if (rng.Chance(0.3))
        {
            d.Chunked = true;
            transport = "chunked";
        }
        else if (rng.Chance(0.25))
        {
            d.Http2 = true;
            transport = "HTTP/2";
        }

        return new Applied(over ? "body-over-limit" : "body-under-limit", $"body of {total:N0} bytes ({(total > FuzzCase.BodyLimit ? "+" : "")}{total - FuzzCase.BodyLimit:N0} vs the limit), {transport}");
    }
}
