using System.Text.Json;
using System.Text.Json.Nodes;

namespace Injector.Core.Kube;

/// <summary>
/// Parses JSON that comes from a pod (annotation values, env values of an earlier injection) so that every problem is
/// a <see cref="JsonException"/> up front: a repeated key would otherwise surface later, at first access, as an
/// ArgumentException from deep inside JsonObject; nesting is bounded as everywhere else.
/// </summary>
public static class StrictJson
{
    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    /// <summary>The parsed node; throws <see cref="JsonException"/> for malformed JSON, a repeated key or nesting past 64.</summary>
    public static JsonNode? Parse(string text) => JsonNode.Parse(text, documentOptions: Options);
}
