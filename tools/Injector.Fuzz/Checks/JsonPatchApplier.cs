using System.Globalization;
using System.Text.Json.Nodes;

namespace Injector.Fuzz.Checks;

/// <summary>
/// RFC 6902 over <see cref="JsonNode"/>, strict as the API server's applier: add, remove, replace, move, copy and
/// test, JSON pointers (RFC 6901, <c>~0</c> and <c>~1</c>) and <c>-</c> for the end of an array.
/// </summary>
internal static class JsonPatchApplier
{
    /// <summary>Applies <paramref name="patch"/> to <paramref name="document"/> in place; the error names the failing operation.</summary>
    public static bool TryApply(ref JsonNode? document, JsonArray patch, out string error)
    {
        for (var i = 0; i < patch.Count; i++)
        {
            if (!TryApplyOne(ref document, patch[i], out var why))
            {
                error = $"operation {i.ToString(CultureInfo.InvariantCulture)} ({Short(patch[i])}): {why}";
                return false;
            }
        }

        error = "";
        return true;
    }

    private static bool TryApplyOne(ref JsonNode? document, JsonNode? operation, out string error)
    {
        if (operation is not JsonObject op || Text(op, "op") is not { } name || Text(op, "path") is not { } path)
        {
            error = "not an object with string op and path";
            return false;
        }

        if (Pointer(path) is not { } tokens)
        {
            error = $"bad pointer \"{path}\"";
            return false;
        }

        switch (name)
        {
            case "add":
                if (!op.TryGetPropertyValue("value", out var added))
                {
                    error = "add without value";
                    return false;
                }

                return Add(ref document, tokens, added?.DeepClone(), out error);
            case "remove":
                return Remove(ref document, tokens, out _, out error);
            case "replace":
                if (!op.TryGetPropertyValue("value", out var replacement))
                {
                    error = "replace without value";
                    return false;
                }

                return Remove(ref document, tokens, out _, out error) && Add(ref document, tokens, replacement?.DeepClone(), out error);
            case "move" or "copy":
                if (Text(op, "from") is not { } from || Pointer(from) is not { } fromTokens)
                {
                    error = $"{name} without a valid from";
                    return false;
                }

                if (name == "move")
                {
                    if (path.StartsWith(from + "/", StringComparison.Ordinal))
                    {
                        error = "move into its own child";
                        return false;
                    }

                    return Remove(ref document, fromTokens, out var moved, out error) && Add(ref document, tokens, moved, out error);
                }

                if (!Get(document, fromTokens, out var source))
                {
                    error = $"copy from missing \"{from}\"";
                    return false;
                }

                return Add(ref document, tokens, source?.DeepClone(), out error);
            case "test":
                if (!op.TryGetPropertyValue("value", out var expected))
                {
                    error = "test without value";
                    return false;
                }

                if (!Get(document, tokens, out var actual) || !JsonNode.DeepEquals(actual, expected))
                {
                    error = "test failed";
                    return false;
                }

                error = "";
                return true;
            default:
                error = $"unknown op \"{name}\"";
                return false;
        }
    }

    private static bool Add(ref JsonNode? document, string[] tokens, JsonNode? value, out string error)
    {
        error = "";
        if (tokens.Length == 0)
        {
            document = value;
            return true;
        }

        if (!Get(document, tokens[..^1], out var parent))
        {
            error = "parent does not exist";
            return false;
        }

        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject obj:
                obj[last] = value;
                return true;
            case JsonArray array:
                if (last == "-")
                {
                    array.Add(value);
                    return true;
                }

                if (Index(last) is { } index && index <= array.Count)
                {
                    array.Insert(index, value);
                    return true;
                }

                error = $"array index \"{last}\" out of range (count {array.Count})";
                return false;
            default:
                error = "parent is not a container";
                return false;
        }
    }

    private static bool Remove(ref JsonNode? document, string[] tokens, out JsonNode? removed, out string error)
    {
        removed = null;
        error = "";
        if (tokens.Length == 0)
        {
            removed = document;
            document = null;
            return true;
        }

        if (!Get(document, tokens[..^1], out var parent))
        {
            error = "parent does not exist";
            return false;
        }

        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject obj when obj.TryGetPropertyValue(last, out removed):
                obj.Remove(last);
                return true;
            case JsonArray array when Index(last) is { } index && index < array.Count:
                removed = array[index];
                array.RemoveAt(index);
                return true;
            default:
                error = "target does not exist";
                return false;
        }
    }

    private static bool Get(JsonNode? document, string[] tokens, out JsonNode? node)
    {
        node = document;
        foreach (var token in tokens)
        {
            switch (node)
            {
                case JsonObject obj when obj.TryGetPropertyValue(token, out var child):
                    node = child;
                    break;
                case JsonArray array when Index(token) is { } index && index < array.Count:
                    node = array[index];
                    break;
                default:
                    node = null;
                    return false;
            }
        }

        return true;
    }

    /// <summary>RFC 6901 reference tokens; null when the pointer is not "" and does not start with "/".</summary>
    private static string[]? Pointer(string pointer)
    {
        if (pointer.Length == 0)
        {
            return [];
        }

        if (pointer[0] != '/')
        {
            return null;
        }

        return [.. pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];
    }

    /// <summary>An array index: digits without leading zeros.</summary>
    private static int? Index(string token) =>
        token.Length > 0 && token.All(char.IsAsciiDigit) && (token.Length == 1 || token[0] != '0')
            && int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;

    private static string? Text(JsonObject obj, string key) =>
        obj.TryGetPropertyValue(key, out var value) && value is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;

    private static string Short(JsonNode? op)
    {
        var text = op is JsonObject o ? $"{Text(o, "op")} {Text(o, "path")}" : op?.ToJsonString() ?? "null";
        return text.Length > 120 ? text[..120] + "…" : text;
    }
}
