using System.Text.Json.Nodes;
using Injector.Documents;

namespace Injector.Core.Kube;

/// <summary>
/// Bounds on a pod's lists that keep one injection's work small. Templates walk the containers (Istio's build lists
/// of them with sprig's copying <c>append</c>, quadratic in their number), so a pod with tens of thousands of
/// containers, which fits in a review, would take seconds; no real pod comes near these numbers.
/// </summary>
public static class PodLimits
{
    /// <summary>Containers, init containers and ephemeral containers together.</summary>
    public const int MaxContainers = 1_000;

    /// <summary>Volumes.</summary>
    public const int MaxVolumes = 1_000;

    /// <summary>
    /// JSON values (maps, lists and scalars) in the whole pod. The injection holds a few copies of the pod as JSON
    /// trees, each value a few hundred bytes, so this bounds a request's memory (a real pod holds a few thousand;
    /// 1,500 env vars are about 4,500).
    /// </summary>
    public const int MaxValues = 20_000;

    /// <summary>
    /// The longest string anywhere in the pod. Linux passes at most 128 KiB per environment variable or argument, and
    /// annotations hold 256 KiB in all, so no usable pod has a longer one; refusing it keeps pod text from being copied
    /// into megabyte buffers that the runtime's shared pools then keep.
    /// </summary>
    public const int MaxStringLength = 256 * 1024;

    /// <summary>Kubernetes' own bound on all of an object's annotations together (keys and values, in bytes).</summary>
    public const int MaxAnnotationBytes = 256 * 1024;

    /// <summary>Kubernetes' bound on a label value (a label's name part is at most 63 too, its prefix 253).</summary>
    public const int MaxLabelValue = 63;

    /// <summary>
    /// The breach, or null when the pod is within the bounds. The annotation and label bounds are the API server's own
    /// validation (it would refuse the pod anyway); checked before anything else reads the pod, they keep megabytes of
    /// pod values from flowing into templates, the rendered output and the patch.
    /// </summary>
    public static string? Check(JsonObject pod)
    {
        // First, before any step reads the pod. At the webhook door the review's scan has already refused strings over
        // the bound in the raw body, before they were decoded (a huge one would be transcoded through the runtime's
        // shared buffer pools, which keep megabyte buffers long after the request); this bound covers every door.
        var longest = 0;
        var values = Count(pod, MaxValues + 1, ref longest);
        if (values > MaxValues)
        {
            return $"the pod holds more than {MaxValues} JSON values (maps, lists and scalars), the limit";
        }

        if (longest > MaxStringLength)
        {
            return $"the pod holds a string of {longest} bytes, more than the limit of {MaxStringLength} (Linux passes at most 128 KiB per environment variable or argument; large data belongs in a volume)";
        }

        if (pod["metadata"] is JsonObject metadata)
        {
            if (metadata["annotations"] is JsonObject annotations)
            {
                // The raw (escaped) size is never below the real one: only when it is over is the real size computed.
                long raw = 0;
                foreach (var (key, value) in annotations.Pairs())
                {
                    raw += System.Text.Encoding.UTF8.GetByteCount(key) + (value is JsonValue v ? Length(v) : 0);
                }

                long bytes = 0;
                if (raw > MaxAnnotationBytes)
                {
                    foreach (var (key, value) in annotations.Pairs())
                    {
                        bytes += System.Text.Encoding.UTF8.GetByteCount(key) + (value is JsonValue v && v.TryGetValue<string>(out var text) ? System.Text.Encoding.UTF8.GetByteCount(text) : 0);
                    }
                }

                if (bytes > MaxAnnotationBytes)
                {
                    return $"the pod's annotations hold {bytes} bytes, more than Kubernetes' limit of {MaxAnnotationBytes}";
                }
            }

            if (metadata["labels"] is JsonObject labels)
            {
                foreach (var (key, value) in labels.Pairs())
                {
                    if (key.Length > 253 + 1 + 63 || (value is JsonValue v && v.TryGetValue<string>(out var text) && text.Length > MaxLabelValue))
                    {
                        return $"label '{AnnotationShown(key)}' is longer than Kubernetes allows (a value at most {MaxLabelValue} characters)";
                    }
                }
            }
        }

        var spec = pod["spec"] as JsonObject;

        // What an earlier injection added is not counted: re-injecting a pod at the limit must not refuse it.
        var earlier = PostProcess.ReinjectionStrip.Read(pod);
        var injectedContainers = earlier?.Containers.Concat(earlier.InitContainers).ToHashSet(StringComparer.Ordinal);
        int Items(string field, IReadOnlySet<string>? injected) =>
            (spec?[field] as JsonArray)?.Count(item => injected is null || PodJson.Name(item) is not { } name || !injected.Contains(name)) ?? 0;

        var containers = Items("containers", injectedContainers) + Items("initContainers", injectedContainers) + Items("ephemeralContainers", injectedContainers);
        if (containers > MaxContainers)
        {
            return $"the pod has {containers} containers (containers, initContainers and ephemeralContainers together), more than the limit of {MaxContainers}";
        }

        var volumes = Items("volumes", earlier?.Volumes);
        return volumes > MaxVolumes ? $"the pod has {volumes} volumes, more than the limit of {MaxVolumes}" : null;
    }

    private static string AnnotationShown(string key) => Policy.AnnotationValidation.Shown(key.Length > 80 ? key[..80] : key);

    /// <summary>
    /// A string's size in bytes, never below its UTF-8 length: the raw bytes (escapes included, quotes not) of a value
    /// still backed by a request's JSON text, without turning it into a string; the UTF-8 length of one held as a
    /// string; 0 for other values.
    /// </summary>
    private static int Length(JsonValue value)
    {
        if (value.GetValueKind() != System.Text.Json.JsonValueKind.String)
        {
            return 0;
        }

        return value.TryGetValue<System.Text.Json.JsonElement>(out var element)
            ? System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element).Length - 2
            : System.Text.Encoding.UTF8.GetByteCount(value.GetValue<string>());
    }

    /// <summary>Values in a tree, counting stopped at <paramref name="stop"/> (nesting is at most 64: the review decoder's bound).</summary>
    /// <param name="node">The tree.</param>
    /// <param name="stop">Counting stops there.</param>
    /// <param name="longest">The longest string (or key) seen: characters, or bytes as sent for a value read from a request.</param>
    private static int Count(JsonNode? node, int stop, ref int longest)
    {
        var count = 1;
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.Pairs())
                {
                    longest = Math.Max(longest, key.Length);
                    count += Count(child, stop - count, ref longest);
                    if (count >= stop)
                    {
                        return count;
                    }
                }

                break;
            case JsonArray list:
                foreach (var child in list.Items())
                {
                    count += Count(child, stop - count, ref longest);
                    if (count >= stop)
                    {
                        return count;
                    }
                }

                break;
            case JsonValue value:
                longest = Math.Max(longest, Length(value));
                break;
        }

        return count;
    }
}
