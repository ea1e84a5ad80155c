using System.Text.Json.Nodes;

namespace Injector.Core.Config;

/// <summary>The injector ConfigMap's <c>config</c> key (istio-sidecar-injector), in Istio's shape.</summary>
/// <param name="Policy"><c>enabled</c> or <c>disabled</c>; anything else never injects.</param>
/// <param name="DefaultTemplates">Templates rendered when the pod does not name its own with <c>inject.istio.io/templates</c>.</param>
/// <param name="Templates">Template name → Go text/template source.</param>
/// <param name="Aliases">Name → the templates it stands for (one level).</param>
/// <param name="NeverInjectSelector">Label selectors (metav1.LabelSelector JSON) that veto the default decision.</param>
/// <param name="AlwaysInjectSelector">Label selectors that force the default decision to inject.</param>
/// <param name="InjectedAnnotations">Annotations written onto every injected pod, last.</param>
public sealed record InjectionConfig(
    string Policy,
    IReadOnlyList<string> DefaultTemplates,
    IReadOnlyDictionary<string, string> Templates,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Aliases,
    IReadOnlyList<JsonObject> NeverInjectSelector,
    IReadOnlyList<JsonObject> AlwaysInjectSelector,
    IReadOnlyDictionary<string, string> InjectedAnnotations)
{
    /// <summary>Reads the <c>config</c> document; unknown keys (such as the chart's legacy <c>template</c>) are ignored as istiod does.</summary>
    public static InjectionConfig FromJson(JsonObject doc, string source)
    {
        return new InjectionConfig(
            Policy: doc["policy"]?.ToString() ?? "enabled",
            DefaultTemplates: StringList(doc["defaultTemplates"], $"{source}: defaultTemplates"),
            Templates: StringMap(doc["templates"], $"{source}: templates"),
            Aliases: (doc["aliases"] as JsonObject ?? [])
                .ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)StringList(kv.Value, $"{source}: aliases.{kv.Key}")),
            NeverInjectSelector: Selectors(doc["neverInjectSelector"], $"{source}: neverInjectSelector"),
            AlwaysInjectSelector: Selectors(doc["alwaysInjectSelector"], $"{source}: alwaysInjectSelector"),
            InjectedAnnotations: StringMap(doc["injectedAnnotations"], $"{source}: injectedAnnotations"));
    }

    private static List<string> StringList(JsonNode? node, string path) => node switch
    {
        null => [],
        JsonArray a => [.. a.Select(x => x?.ToString() ?? throw new ConfigException($"{path}: null entry"))],
        _ => throw new ConfigException($"{path}: want a list, got {node.GetValueKind()}"),
    };

    private static Dictionary<string, string> StringMap(JsonNode? node, string path) => node switch
    {
        null => [],
        JsonObject o => o.ToDictionary(kv => kv.Key, kv => kv.Value?.ToString() ?? ""),
        _ => throw new ConfigException($"{path}: want a map, got {node.GetValueKind()}"),
    };

    private static List<JsonObject> Selectors(JsonNode? node, string path) => node switch
    {
        null => [],
        JsonArray a => [.. a.OfType<JsonObject>()],
        _ => throw new ConfigException($"{path}: want a list of label selectors, got {node.GetValueKind()}"),
    };
}
