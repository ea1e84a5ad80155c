using System.Text.Json.Nodes;

namespace Injector.Documents;

/// <summary>
/// Reads and writes YAML exactly like Kubernetes' Go tooling (sigs.k8s.io/yaml on top of go-yaml v2), so
/// documents we produce are byte-identical to what istioctl / the Istio injector would print.
/// </summary>
public static class GoYaml
{
    /// <summary>
    /// Parses every document of a multi-document stream; documents with no content at all are skipped.
    /// Throws <see cref="YamlFormatException"/> on malformed text and on text past <paramref name="limits"/> (default <see cref="YamlLimits.Default"/>).
    /// </summary>
    public static IReadOnlyList<JsonNode?> ParseAll(string yaml, YamlLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        return GoYamlReader.ReadAll(yaml, limits ?? YamlLimits.Default);
    }

    /// <summary>Parses a stream holding at most one document; an empty stream gives null.</summary>
    public static JsonNode? Parse(string yaml, YamlLimits? limits = null)
    {
        var documents = ParseAll(yaml, limits);
        return documents.Count switch
        {
            0 => null,
            1 => documents[0],
            _ => throw new YamlFormatException($"Expected a single YAML document but found {documents.Count}."),
        };
    }

    /// <summary>Writes one document as go-yaml v2 would: block style, sorted keys, ending with a newline, no "---".</summary>
    public static string Write(JsonNode? node) => GoYamlEmitter.Write(node);
}
