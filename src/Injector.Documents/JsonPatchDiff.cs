using System.Text.Json.Nodes;

namespace Injector.Documents;

/// <summary>
/// Computes an RFC 6902 patch turning one JSON tree into another, as admission webhooks return it. Arrays are
/// diffed by trimming the common prefix and suffix first, so inserting a container at the front of a list is a
/// single "add" instead of a cascade of replacements.
/// </summary>
public static class JsonPatchDiff
{
    public static JsonArray Create(JsonNode? from, JsonNode? to)
    {
        var ops = new JsonArray();
        Diff(from, to, string.Empty, ops);
        return ops;
    }

    private static void Diff(JsonNode? from, JsonNode? to, string path, JsonArray ops)
    {
        switch (from, to)
        {
            case (JsonObject a, JsonObject b):
                DiffObjects(a, b, path, ops);
                break;
            case (JsonArray a, JsonArray b):
                DiffArrays(a, b, path, ops);
                break;
            default:
                if (!JsonDeepEquality.AreEqual(from, to))
                {
                    ops.Add(Op("replace", path, to));
                }

                break;
        }
    }

    private static void DiffObjects(JsonObject from, JsonObject to, string path, JsonArray ops)
    {
        foreach (var (key, value) in from)
        {
            var child = JsonPointer.Append(path, key);
            if (to.TryGetPropertyValue(key, out var other))
            {
                Diff(value, other, child, ops);
            }
            else
            {
                ops.Add(Op("remove", child));
            }
        }

        foreach (var (key, value) in to)
        {
            if (!from.ContainsKey(key))
            {
                ops.Add(Op("add", JsonPointer.Append(path, key), value));
            }
        }
    }

    private static void DiffArrays(JsonArray from, JsonArray to, string path, JsonArray ops)
    {
        var prefix = 0;
        var shorter = Math.Min(from.Count, to.Count);
        while (prefix < shorter && JsonDeepEquality.AreEqual(from[prefix], to[prefix]))
        {
            prefix++;
        }

        var suffix = 0;
        while (suffix < shorter - prefix && JsonDeepEquality.AreEqual(from[from.Count - 1 - suffix], to[to.Count - 1 - suffix]))
        {
            suffix++;
        }

        var oldCount = from.Count - prefix - suffix;
        var newCount = to.Count - prefix - suffix;

        // Shared positions are diffed in place; indices below them never shift because adds/removes come after.
        var shared = Math.Min(oldCount, newCount);
        for (var i = 0; i < shared; i++)
        {
            Diff(from[prefix + i], to[prefix + i], JsonPointer.Append(path, prefix + i), ops);
        }

        // Removing from the highest index down keeps the remaining indices valid while the patch is applied.
        for (var i = oldCount - 1; i >= shared; i--)
        {
            ops.Add(Op("remove", JsonPointer.Append(path, prefix + i)));
        }

        for (var i = shared; i < newCount; i++)
        {
            ops.Add(Op("add", JsonPointer.Append(path, prefix + i), to[prefix + i]));
        }
    }

    // Typed as JsonNode so JsonArray.Add takes the node itself: Add<JsonObject> would go through JsonValue's
    // reflection-based conversion (a Native AOT warning), only to find it is already a node.
    private static JsonNode Op(string op, string path) => new JsonObject { ["op"] = op, ["path"] = path };

    private static JsonNode Op(string op, string path, JsonNode? value) =>
        new JsonObject { ["op"] = op, ["path"] = path, ["value"] = value?.DeepClone() };
}
