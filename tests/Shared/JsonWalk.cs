using System.Text.Json.Nodes;

namespace Injector.Testing;

/// <summary>Every node of a JSON tree, the root first, depth first (a snapshot of each level, so callers may change what they visit).</summary>
internal static class JsonWalk
{
    public static IEnumerable<JsonNode> Nodes(JsonNode node)
    {
        yield return node;
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>().ToList())
        {
            foreach (var inner in Nodes(child))
            {
                yield return inner;
            }
        }
    }
}
