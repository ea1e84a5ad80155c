using System.Text.Json.Nodes;

namespace Injector.Conformance.Tests;

/// <summary>Names the first path where two JSON trees differ, so a failing case says where to look.</summary>
public static class FirstDifference
{
    public static string Describe(IReadOnlyList<JsonNode?> expected, IReadOnlyList<JsonNode?> actual)
    {
        if (expected.Count != actual.Count)
        {
            return $"documents: expected {expected.Count}, got {actual.Count}";
        }

        for (var i = 0; i < expected.Count; i++)
        {
            if (Find(expected[i], actual[i], $"doc{i}") is { } diff)
            {
                return diff;
            }
        }

        return "equal";
    }

    public static string? Find(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected, actual)
        {
            case (JsonObject e, JsonObject a):
                foreach (var key in e.Select(kv => kv.Key).Union(a.Select(kv => kv.Key)))
                {
                    if (!e.ContainsKey(key))
                    {
                        return $"{path}.{key}: unexpected {Short(a[key])}";
                    }

                    if (!a.ContainsKey(key))
                    {
                        return $"{path}.{key}: missing, expected {Short(e[key])}";
                    }

                    if (Find(e[key], a[key], $"{path}.{key}") is { } d)
                    {
                        return d;
                    }
                }

                return null;
            case (JsonArray e, JsonArray a):
                for (var i = 0; i < Math.Min(e.Count, a.Count); i++)
                {
                    if (Find(e[i], a[i], $"{path}[{i}]") is { } d)
                    {
                        return d;
                    }
                }

                return e.Count == a.Count ? null : $"{path}: expected {e.Count} items, got {a.Count}";
            default:
                return JsonNode.DeepEquals(expected, actual) ? null : $"{path}: expected {Short(expected)}, got {Short(actual)}";
        }
    }

    private static string Short(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length > 160 ? text[..160] + "…" : text;
    }
}
