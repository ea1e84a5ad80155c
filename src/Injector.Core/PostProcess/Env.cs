using System.Text.Json.Nodes;

namespace Injector.Core.PostProcess;

/// <summary>Reads and edits a container's env list in place.</summary>
internal static class Env
{
    public static JsonArray List(JsonObject container)
    {
        if (container["env"] is JsonArray env)
        {
            return env;
        }

        var created = new JsonArray();
        container["env"] = created;
        return created;
    }

    public static string? Value(JsonObject container, string name) =>
        (container["env"] as JsonArray)?.FirstOrDefault(e => e?["name"]?.ToString() == name)?["value"]?.ToString();

    public static void Append(JsonObject container, string name, string value) =>
        List(container).Add((JsonNode)new JsonObject { ["name"] = name, ["value"] = value });

    /// <summary>Removes the named entries and returns them in their order.</summary>
    public static List<JsonNode> Take(JsonObject container, Func<string, bool> match)
    {
        var taken = new List<JsonNode>();
        if (container["env"] is not JsonArray env)
        {
            return taken;
        }

        for (var i = 0; i < env.Count; i++)
        {
            if (env[i]?["name"]?.ToString() is { } n && match(n))
            {
                var node = env[i]!;
                env.RemoveAt(i--);
                taken.Add(node);
            }
        }

        return taken;
    }
}
