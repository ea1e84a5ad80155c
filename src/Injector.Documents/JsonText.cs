using System.Text.Json.Nodes;

namespace Injector.Documents;

/// <summary>Reading strings out of schema-less JSON.</summary>
public static class JsonText
{
    /// <summary>The node's text when it is a JSON string; null for anything else (a number, a map, no node).</summary>
    public static string? Of(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
