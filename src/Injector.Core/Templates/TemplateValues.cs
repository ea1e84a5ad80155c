using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Injector.Core.Templates;

/// <summary>Conversions for template function arguments, which arrive as JSON nodes or plain .NET values.</summary>
internal static class TemplateValues
{
    public static string Text(object? value) => value switch
    {
        null => "",
        string s => s,
        WrapperView w => Text(w.Value),
        ProtoView p => p.ToString(),
        bool b => b ? "true" : "false",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>() ? "true" : "false",
        JsonValue v => v.ToJsonString(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public static JsonNode? Node(object? value) => value switch
    {
        null => null,
        JsonNode n => n.DeepClone(),
        ProtoView p => p.Json.DeepClone(),
        WrapperView w => w.Value.DeepClone(),
        NilMessage => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create((long)i),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        IDictionary<string, object?> map => new JsonObject(map.Select(kv => KeyValuePair.Create(kv.Key, Node(kv.Value)))),
        IReadOnlyDictionary<string, object?> map => new JsonObject(map.Select(kv => KeyValuePair.Create(kv.Key, Node(kv.Value)))),
        System.Collections.IEnumerable list => new JsonArray([.. list.Cast<object?>().Select(Node)]),
        _ => JsonValue.Create(value.ToString()),
    };

    /// <summary>Go's fmt.Sprint of one value: nil prints as &lt;nil&gt;, maps as map[k:v], views as their Go value.</summary>
    public static string Sprint(object? value) => value switch
    {
        null => "<nil>",
        string s => s,
        bool or long or int => Text(value),
        WrapperView w => Sprint(Scalar(w.Value)),
        ProtoView or NilMessage => value is NilMessage ? "<nil>" : $"&{{{value}}}",
        JsonValue v => Sprint(Scalar(v)),
        _ => GoPrint([value]) as string ?? "",
    };

    /// <summary>A JSON scalar as the engine sees it: string, bool, long or double.</summary>
    public static object? Scalar(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Null => null,
        _ => node,
    };

    /// <summary>The engine's own <c>print</c> (Go's fmt.Sprint).</summary>
    private static readonly Injector.Templating.TemplateFunction GoPrint = Injector.Templating.TemplateFunctions.Empty.Get("print");

    public static JsonObject? Map(object? value) => value switch
    {
        JsonObject o => o,
        ProtoView p => p.Json,
        NilMessage => null,
        IDictionary<string, object?> or IReadOnlyDictionary<string, object?> => Node(value) as JsonObject,
        _ => null,
    };
}
