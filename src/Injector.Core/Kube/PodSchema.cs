using System.Text.Json.Nodes;

namespace Injector.Core.Kube;

/// <summary>
/// The JSON shape of <c>k8s.io/api/core/v1.Pod</c>: for each Go struct, its JSON keys and their types. Generated from
/// the Kubernetes Go types (see <c>PodSchemaTests</c>) and embedded, so the core can refuse a pod the API server
/// could not decode before any step reads a field of the wrong type.
/// </summary>
/// <remarks>
/// Type tokens: <c>string</c>, <c>bool</c>, <c>int32</c>, <c>int64</c>, <c>Quantity</c>, <c>Time</c>, <c>IntOrString</c>,
/// <c>FieldsV1</c> (any JSON), a struct name, <c>[]T</c> (a list) or <c>map:T</c> (a map with string keys).
/// </remarks>
public static class PodSchema
{
    private static readonly Dictionary<string, Dictionary<string, string>> Structs = Load();

    /// <summary>The type token of a struct's JSON key; null when the struct has no such key (unknown fields pass through).</summary>
    public static string? FieldType(string structName, string jsonKey) =>
        Structs.TryGetValue(structName, out var fields) && fields.TryGetValue(jsonKey, out var type) ? type : null;

    /// <summary>The JSON keys of a struct, in declaration order (inline structs expanded); empty for an unknown struct.</summary>
    public static IEnumerable<string> Keys(string structName) =>
        Structs.TryGetValue(structName, out var fields) ? fields.Keys : [];

    private static Dictionary<string, Dictionary<string, string>> Load()
    {
        using var stream = typeof(PodSchema).Assembly.GetManifestResourceStream("Injector.Core.Kube.pod-schema.json")
            ?? throw new InvalidOperationException("embedded resource pod-schema.json is missing");
        var root = JsonNode.Parse(stream)!.AsObject();
        var structs = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (name, fields) in root)
        {
            structs[name] = fields!.AsObject().ToDictionary(f => f.Key, f => f.Value!.GetValue<string>(), StringComparer.Ordinal);
        }

        return structs;
    }
}
