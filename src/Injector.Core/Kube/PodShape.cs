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
        var problems = new List<string>();
        var total = 0;
        var path = new StringBuilder();
        Visit(pod, "Pod", path, problems, ref total);
        return ProblemList.Join(problems, total);
    }

    /// <summary>
    /// The problems of what an injection wrote into a pod that passed <see cref="Check"/>: its metadata and the containers
    /// and volumes the templates produced (overrides and template values land only there), without walking the rest again.
    /// </summary>
    public static string? CheckInjected(JsonObject pod, IReadOnlySet<string> containers, IReadOnlySet<string> volumes)
    {
        var problems = new List<string>();
        var total = 0;
        var path = new StringBuilder();
        if (pod["metadata"] is { } metadata)
        {
            path.Append("metadata");
            Visit(metadata, "ObjectMeta", path, problems, ref total);
            path.Clear();
        }

        if (pod["spec"] is JsonObject spec)
        {
            foreach (var (field, type, names) in new[] { ("containers", "Container", containers), ("initContainers", "Container", containers), ("volumes", "Volume", volumes) })
            {
                if (spec[field] is not JsonArray list)
                {
                    Visit(spec[field], "[]" + type, path.Append("spec.").Append(field), problems, ref total);
                    path.Clear();
                    continue;
                }

                for (var i = 0; i < list.Count; i++)
                {
                    if (PodJson.Name(list[i]) is { } name && names.Contains(name))
                    {
                        path.Append("spec.").Append(field).Append('[').Append(i).Append(']');
                        Visit(list[i], type, path, problems, ref total);
                        path.Clear();
                    }
                }
            }
        }

        return ProblemList.Join(problems, total);
    }

    private static void Visit(JsonNode? node, string type, StringBuilder path, List<string> problems, ref int total)
    {
        if (node is null)
        {
            // null decodes as the Go zero value everywhere.
            return;
        }

        if (type.StartsWith("[]", StringComparison.Ordinal))
        {
            if (node is not JsonArray list)
            {
                Report(path, "a list", node, problems, ref total);
                return;
            }

            var element = PodSchema.ElementOf(type);
            for (var i = 0; i < list.Count; i++)
            {
                var mark = path.Length;
                path.Append('[').Append(i).Append(']');
                Visit(list[i], element, path, problems, ref total);
                path.Length = mark;
            }

            return;
        }

        if (type.StartsWith("map:", StringComparison.Ordinal))
        {
            if (node is not JsonObject map)
            {
                Report(path, "a map", node, problems, ref total);
                return;
            }

            var element = PodSchema.ElementOf(type);
            foreach (var (key, value) in map.Pairs())
            {
                var mark = path.Length;
                path.Append('[');
                AppendQuoted(path, key);
                path.Append(']');
                Visit(value, element, path, problems, ref total);
                path.Length = mark;
            }

            return;
        }

        switch (type)
        {
            case "string" or "Time":
                Expect(node, JsonValueKind.String, "a string", path, problems, ref total);
                return;
            case "bool":
                if (node.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                {
                    Report(path, "a boolean", node, problems, ref total);
                }

                return;
            case "int32":
                if (!IsInteger(node, int.MinValue, int.MaxValue))
                {
                    Report(path, "a 32-bit integer", node, problems, ref total);
                }

                return;
            case "int64":
                if (!IsInteger(node, long.MinValue, long.MaxValue))
                {
                    Report(path, "a 64-bit integer", node, problems, ref total);
                }

                return;
            case "IntOrString":
                if (node.GetValueKind() != JsonValueKind.String && !IsInteger(node, int.MinValue, int.MaxValue))
                {
                    Report(path, "a 32-bit integer or a string", node, problems, ref total);
                }

                return;
            case "Quantity":
                var kind = node.GetValueKind();
                if (kind == JsonValueKind.Number || (kind == JsonValueKind.String && Quantity.Canonicalize(node.GetValue<string>()) is not null))
                {
                    return;
                }

                Report(path, "a resource quantity", node, problems, ref total);
                return;
            case "FieldsV1":
                return;
        }

        if (node is not JsonObject obj)
        {
            Report(path, "a map", node, problems, ref total);
            return;
        }

        foreach (var (key, value) in obj.Pairs())
        {
            if (PodSchema.FieldType(type, key) is not { } fieldType)
            {
                continue;
            }

            var mark = path.Length;
            if (path.Length > 0)
            {
                path.Append('.');
            }

            path.Append(key);
            Visit(value, fieldType, path, problems, ref total);
            path.Length = mark;
        }
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

    private static void Expect(JsonNode node, JsonValueKind kind, string want, StringBuilder path, List<string> problems, ref int total)
    {
        if (node.GetValueKind() != kind)
        {
            Report(path, want, node, problems, ref total);
        }
    }

    private static void Report(StringBuilder path, string want, JsonNode node, List<string> problems, ref int total)
    {
        total++;
        if (problems.Count < ProblemList.MaxReported)
        {
            var at = path.Length == 0 ? "the pod" : path.ToString();
            problems.Add($"{at}: want {want}, got {Describe(node)}");
        }
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
