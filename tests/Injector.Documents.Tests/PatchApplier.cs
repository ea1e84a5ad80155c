using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;

namespace Injector.Documents.Tests;

/// <summary>Applies RFC 6902 patches in tests: through ASP.NET Core's JsonPatch when the root is an object, and
/// a minimal independent applier otherwise (the library mutates an object, so it cannot replace the root).</summary>
internal static class PatchApplier
{
    public static JsonNode? Apply(JsonNode? document, JsonArray ops)
    {
        var target = document?.DeepClone();
        if (target is JsonObject obj && !ops.Any(o => (string)o!["path"]! == string.Empty))
        {
            var patch = JsonSerializer.Deserialize<JsonPatchDocument>(ops.ToJsonString())!;
            patch.ApplyTo(obj);
            return obj;
        }

        return ApplyMinimal(target, ops);
    }

    public static JsonNode? ApplyMinimal(JsonNode? document, JsonArray ops)
    {
        foreach (var op in ops)
        {
            var path = (string)op!["path"]!;
            var kind = (string)op["op"]!;
            if (path.Length == 0)
            {
                document = kind == "remove" ? null : op["value"]?.DeepClone();
                continue;
            }

            var tokens = path[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
            var parent = document!;
            foreach (var token in tokens[..^1])
            {
                parent = parent is JsonArray a ? a[Index(token)]! : parent[token]!;
            }

            var last = tokens[^1];
            var value = op["value"]?.DeepClone();
            switch (parent, kind)
            {
                case (JsonArray array, "add"):
                    array.Insert(last == "-" ? array.Count : Index(last), value);
                    break;
                case (JsonArray array, "remove"):
                    array.RemoveAt(Index(last));
                    break;
                case (JsonArray array, "replace"):
                    array[Index(last)] = value;
                    break;
                case (JsonObject o, "remove"):
                    Assert.True(o.Remove(last), $"remove of missing {path}");
                    break;
                case (JsonObject o, "replace"):
                    Assert.True(o.ContainsKey(last), $"replace of missing {path}");
                    o[last] = value;
                    break;
                case (JsonObject o, "add"):
                    o[last] = value;
                    break;
                default:
                    throw new InvalidOperationException($"bad op {op.ToJsonString()}");
            }
        }

        return document;
    }

    private static int Index(string token) => int.Parse(token, CultureInfo.InvariantCulture);
}
