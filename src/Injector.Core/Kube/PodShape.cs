using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Injector.Documents;

namespace Injector.Core.Kube;

/// <summary>
/// Checks that a pod's JSON has the types Kubernetes' Go structs require (<see cref="PodSchema"/>): a number where a
/// string belongs, a map where a list belongs, a fractional port … are what the API server itself refuses to decode, and
/// what would otherwise surface as an exception deep in a post-processing step. Unknown fields are not looked at.
/// </summary>
public static class PodShape
{
    /// <summary>The problems, joined (at most five named, with the count of the rest); null when the pod is well-typed.</summary>
    public static string? Check(JsonNode? pod)
    {
        // A first walk without paths: nearly every pod is well-typed, and only a problem needs the path to name it.
        if (IsWellTyped(pod))
        {
            return null;
        }

        var found = new Found();
        Visit(pod, PodType, found);
        return ProblemList.Join(found.Problems, found.Total);
    }

    /// <summary>The first walk alone: whether the pod is well-typed (tests: it must agree with <see cref="Check"/>).</summary>
    internal static bool IsWellTyped(JsonNode? pod) => Visit(pod, PodType, null);

    /// <summary>
    /// The problems of what an injection wrote into a pod that passed <see cref="Check"/>: its metadata and the containers
    /// and volumes the templates produced (overrides and template values land only there), without walking the rest again.
    /// </summary>
    public static string? CheckInjected(JsonObject pod, IReadOnlySet<string> containers, IReadOnlySet<string> volumes)
    {
        if (VisitInjected(pod, containers, volumes, null))
        {
            return null;
        }

        var found = new Found();
        VisitInjected(pod, containers, volumes, found);
        return ProblemList.Join(found.Problems, found.Total);
    }

    private static readonly GoType PodType = PodSchema.TypeOf("Pod");
    private static readonly GoType MetaType = PodSchema.TypeOf("ObjectMeta");
    private static readonly GoType ContainerListType = PodSchema.TypeOf("[]Container");
    private static readonly GoType VolumeListType = PodSchema.TypeOf("[]Volume");

    /// <summary>Where a walk that names its problems is, and what it found; a walk without one stops at the first problem.</summary>
    private sealed class Found
    {
        public StringBuilder Path { get; } = new();

        public List<string> Problems { get; } = [];

        public int Total { get; set; }
    }

    private static bool VisitInjected(JsonObject pod, IReadOnlySet<string> containers, IReadOnlySet<string> volumes, Found? found)
    {
        var ok = true;
        if (pod["metadata"] is { } metadata)
        {
            found?.Path.Append("metadata");
            ok = Visit(metadata, MetaType, found);
            found?.Path.Clear();
        }

        if (pod["spec"] is JsonObject spec)
        {
            foreach (var (field, listType, names) in new[] { ("containers", ContainerListType, containers), ("initContainers", ContainerListType, containers), ("volumes", VolumeListType, volumes) })
            {
                if (!ok && found is null)
                {
                    return false;
                }

                if (spec[field] is not JsonArray list)
                {
                    found?.Path.Append("spec.").Append(field);
                    ok &= Visit(spec[field], listType, found);
                    found?.Path.Clear();
                    continue;
                }

                for (var i = 0; i < list.Count && (ok || found is not null); i++)
                {
                    if (PodJson.Name(list[i]) is { } name && names.Contains(name))
                    {
                        found?.Path.Append("spec.").Append(field).Append('[').Append(i).Append(']');
                        ok &= Visit(list[i], listType.Element!, found);
                        found?.Path.Clear();
                    }
                }
            }
        }

        return ok;
    }

    /// <summary>
    /// Whether a value has its type token's shape. Without <paramref name="found"/> it stops at the first problem and
    /// keeps no path; with it, it goes on, recording each problem at its path.
    /// </summary>
    private static bool Visit(JsonNode? node, GoType type, Found? found)
    {
        if (node is null)
        {
            // null decodes as the Go zero value everywhere.
            return true;
        }

        var path = found?.Path;
        var ok = true;
        switch (type.Kind)
        {
            case GoKind.String or GoKind.Time:
                return node.GetValueKind() == JsonValueKind.String || Report(found, "a string", node);
            case GoKind.Bool:
                return node.GetValueKind() is JsonValueKind.True or JsonValueKind.False || Report(found, "a boolean", node);
            case GoKind.Int32:
                return IsInteger(node, int.MinValue, int.MaxValue) || Report(found, "a 32-bit integer", node);
            case GoKind.Int64:
                return IsInteger(node, long.MinValue, long.MaxValue) || Report(found, "a 64-bit integer", node);
            case GoKind.IntOrString:
                return node.GetValueKind() == JsonValueKind.String || IsInteger(node, int.MinValue, int.MaxValue) || Report(found, "a 32-bit integer or a string", node);
            case GoKind.Quantity:
                var kind = node.GetValueKind();
                return kind == JsonValueKind.Number || (kind == JsonValueKind.String && Quantity.Canonicalize(node.GetValue<string>()) is not null) || Report(found, "a resource quantity", node);
            case GoKind.FieldsV1:
                return true;
        }

        if (type.Kind == GoKind.List)
        {
            if (node is not JsonArray list)
            {
                return Report(found, "a list", node);
            }

            var element = type.Element!;
            for (var i = 0; i < list.Count; i++)
            {
                if (path is null)
                {
                    if (!Visit(list[i], element, null))
                    {
                        return false;
                    }

                    continue;
                }

                var mark = path.Length;
                path.Append('[').Append(i).Append(']');
                ok &= Visit(list[i], element, found);
                path.Length = mark;
            }

            return ok;
        }

        if (type.Kind == GoKind.Map)
        {
            if (node is not JsonObject map)
            {
                return Report(found, "a map", node);
            }

            var element = type.Element!;
            foreach (var (key, value) in map.Pairs())
            {
                if (path is null)
                {
                    if (!Visit(value, element, null))
                    {
                        return false;
                    }

                    continue;
                }

                var mark = path.Length;
                path.Append('[');
                AppendQuoted(path, key);
                path.Append(']');
                ok &= Visit(value, element, found);
                path.Length = mark;
            }

            return ok;
        }

        if (node is not JsonObject obj)
        {
            return Report(found, "a map", node);
        }

        var fields = type.FieldTypes!;
        foreach (var (key, value) in obj.Pairs())
        {
            if (!fields.TryGetValue(key, out var fieldType))
            {
                continue;
            }

            if (path is null)
            {
                if (!Visit(value, fieldType, null))
                {
                    return false;
                }

                continue;
            }

            var mark = path.Length;
            if (path.Length > 0)
            {
                path.Append('.');
            }

            path.Append(key);
            ok &= Visit(value, fieldType, found);
            path.Length = mark;
        }

        return ok;
    }

    /// <summary>A map key in the path as JSON quotes it; a plain key (most labels and annotations) without a JSON writer.</summary>
    private static void AppendQuoted(StringBuilder path, string key)
    {
        if (key.AsSpan().IndexOfAnyExcept(PlainKeyChars) < 0)
        {
            path.Append('"').Append(key).Append('"');
            return;
        }

        path.Append(JsonValue.Create(key).ToJsonString());
    }

    /// <summary>Characters System.Text.Json writes unescaped.</summary>
    private static readonly System.Buffers.SearchValues<char> PlainKeyChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@ ");

    private static bool IsInteger(JsonNode node, long min, long max) =>
        JsonNumber.TryGetInt64(node, out var value) && value >= min && value <= max;

    /// <summary>A problem: false, recorded at the walk's path when it names its problems.</summary>
    private static bool Report(Found? found, string want, JsonNode node)
    {
        if (found is null)
        {
            return false;
        }

        found.Total++;
        if (found.Problems.Count < ProblemList.MaxReported)
        {
            var at = found.Path.Length == 0 ? "the pod" : found.Path.ToString();
            found.Problems.Add($"{at}: want {want}, got {Describe(node)}");
        }

        return false;
    }

    private static string Describe(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.Object => "a map",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => $"the string {Truncate(node.GetValue<string>())}",
        JsonValueKind.Number => $"the number {Cut(node.ToJsonString())}",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    /// <summary>Values are quoted and cut: the message goes back to the user and into logs.</summary>
    private static string Truncate(string text) => JsonValue.Create(Cut(text)).ToJsonString();

    private static string Cut(string text) => text.Length > 64 ? text[..64] + "…" : text;
}
