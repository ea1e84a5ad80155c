using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using Injector.Core.Config;
using Injector.Templating;

namespace Injector.Core.Templates;

/// <summary>How a protobuf field reads from a Go template.</summary>
internal enum ProtoKind
{
    String,
    Int,
    Bool,
    Double,
    Enum,
    Wrapper,
    Message,
    Map,
    List,
    MessageList,
    Duration,
    Any,
}

/// <summary>One field of a protobuf message: its protojson (camelCase) name, its kind, and for enums the name of value 0.</summary>
internal sealed record ProtoField(string JsonName, ProtoKind Kind, string? EnumZero = null, ProtoKind WrappedKind = ProtoKind.Any, string? MessageType = null);

/// <summary>A protobuf message type: its Go type name (for error messages) and its fields by Go name.</summary>
internal sealed class ProtoSchema(string goType, IReadOnlyDictionary<string, ProtoField> fields)
{
    public string GoType { get; } = goType;

    public IReadOnlyDictionary<string, ProtoField> Fields { get; } = fields;

    public ProtoSchema? Nested(ProtoField field) => field.MessageType is { } name ? ProtoSchemas.Find(name) : null;
}

/// <summary>
/// A Go view of a protobuf message held as protojson (ProxyConfig, MeshConfig and their nested messages), so templates
/// written for istiod read it as the generated Go struct:
/// <list type="bullet">
/// <item>Go field names (<c>.InterceptionMode</c>) read the camelCase JSON key; <c>GetX</c> getters read the same field.</item>
/// <item>An absent scalar is its zero value (<c>""</c>, <c>0</c>, <c>false</c>); an absent enum is the name of value 0.</item>
/// <item>Enums are their names as strings, so they print as <c>REDIRECT</c> and compare with <c>eq</c>.</item>
/// <item>Wrapper fields (BoolValue …) are a <see cref="WrapperView"/> with <c>GetValue</c>/<c>Value</c> (truthy, as a non-nil pointer is);
/// absent, they are a <see cref="NilMessage"/> (falsy, and <c>.GetValue</c> is the zero value, as methods on nil pointers are in Go).</item>
/// <item>Nested messages are views; absent ones are a <see cref="NilMessage"/> whose getters return zero values.</item>
/// <item>Maps are maps (an absent map is empty), lists are lists, durations their protojson text (<c>"45s"</c>).</item>
/// <item>A field the schema does not know (and the JSON does not hold) fails like Go: <c>can't evaluate field X in type *v1alpha1.ProxyConfig</c>.</item>
/// </list>
/// A view without a schema (a message type not modelled) reads present fields by Go name and gives nil for absent ones.
/// </summary>
internal sealed class ProtoView(JsonObject json, ProtoSchema? schema) : ITemplateFields, ITemplateSnapshot
{
    /// <summary>Everything a view shows is its JSON (its schema comes with where it was read).</summary>
    public object? Snapshot() => Json;

    public JsonObject Json { get; } = json;

    public ProtoSchema? Schema { get; } = schema;

    public static ProtoView ProxyConfig(JsonObject json) => new(json, ProtoSchemas.Find("ProxyConfig"));

    public static ProtoView MeshConfig(JsonObject json) => new(json, ProtoSchemas.Find("MeshConfig"));

    public bool TryGetField(string name, out object? value)
    {
        if (Schema is not null && Schema.Fields.TryGetValue(name, out var field))
        {
            value = Read(field, getter: false);
            return true;
        }

        if (Schema is not null && name.Length > 3 && name.StartsWith("Get", StringComparison.Ordinal) && Schema.Fields.TryGetValue(name[3..], out var got))
        {
            value = Read(got, getter: true);
            return true;
        }

        // Fields present in the JSON but not in the schema still read (the schema is generous, not exhaustive).
        var goName = name.Length > 3 && name.StartsWith("Get", StringComparison.Ordinal) && char.IsUpper(name[3]) ? name[3..] : name;
        if (goName.Length > 0 && char.IsUpper(goName[0]) && Json.TryGetPropertyValue(CamelCase(goName), out var node))
        {
            value = Loose(node);
            return true;
        }

        if (Schema is null && goName.Length > 0 && char.IsUpper(goName[0]))
        {
            value = null;
            return true;
        }

        // Go's message for an unknown field; a throwing method makes the engine report it with the template position.
        var goType = Schema?.GoType ?? "*v1alpha1.Message";
        value = new TemplateFunction(_ => throw new InvalidOperationException($"can't evaluate field {name} in type {goType}"));
        return true;
    }

    private object? Read(ProtoField field, bool getter)
    {
        Json.TryGetPropertyValue(field.JsonName, out var node);
        if (node is null)
        {
            return Zero(field, Schema?.Nested(field));
        }

        switch (field.Kind)
        {
            case ProtoKind.Wrapper:
                return new WrapperView(node, field.WrappedKind);
            case ProtoKind.Message:
                return node is JsonObject o ? new ProtoView(o, Schema?.Nested(field)) : Loose(node);
            case ProtoKind.MessageList when node is JsonArray a:
                var nested = Schema?.Nested(field);
                return a.Select(e => e is JsonObject eo ? new ProtoView(eo, nested) : Loose(e)).ToList();
            case ProtoKind.Enum when node is JsonValue ev && ev.GetValueKind() == JsonValueKind.Number:
                return ev.ToJsonString();
            default:
                // Maps, lists, scalars, durations and untyped messages stay JSON (the engine reads Go names on JSON maps).
                _ = getter;
                return node;
        }
    }

    /// <summary>The Go zero value of an absent field.</summary>
    internal static object? Zero(ProtoField field, ProtoSchema? nested) => field.Kind switch
    {
        ProtoKind.String => "",
        ProtoKind.Int => 0L,
        ProtoKind.Bool => false,
        ProtoKind.Double => 0.0,
        ProtoKind.Enum => field.EnumZero ?? "",
        ProtoKind.Wrapper => new NilMessage(null, field.WrappedKind),
        ProtoKind.Message => new NilMessage(nested, null),
        ProtoKind.Map => new JsonObject(),
        ProtoKind.List or ProtoKind.MessageList => new JsonArray(),
        _ => null,
    };

    /// <summary>A JSON value without schema knowledge: objects become schema-less views, the rest stays JSON.</summary>
    private static object? Loose(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => new ProtoView(o, null),
        _ => node,
    };

    internal static string CamelCase(string goName)
    {
        // Go initialisms keep protojson's spelling: MeshMTLS → meshMTLS, CaCrl → caCrl.
        return string.Concat(char.ToLowerInvariant(goName[0]).ToString(), goName.AsSpan(1));
    }

    public override string ToString() => CompactJson.Write(Json);
}

/// <summary>A set wrapper field (google.protobuf.BoolValue …): <c>.GetValue</c> and <c>.Value</c>; truthy as a non-nil pointer.</summary>
internal sealed class WrapperView(JsonNode value, ProtoKind kind) : ITemplateFields, ITemplateSnapshot
{
    public object? Snapshot() => Value;

    public JsonNode Value { get; } = value;

    public bool TryGetField(string name, out object? value)
    {
        switch (name)
        {
            case "GetValue" or "Value":
                value = Value;
                return true;
            default:
                value = new TemplateFunction(_ => throw new InvalidOperationException($"can't evaluate field {name} in type {GoType}"));
                return true;
        }
    }

    private string GoType => kind switch
    {
        ProtoKind.Bool => "*wrapperspb.BoolValue",
        ProtoKind.Int => "*wrapperspb.Int32Value",
        ProtoKind.Double => "*wrapperspb.DoubleValue",
        ProtoKind.String => "*wrapperspb.StringValue",
        _ => "*wrapperspb.UInt32Value",
    };

    public override string ToString() => $"value:{CompactJson.Write(Value)}";
}

/// <summary>
/// A nil message or wrapper pointer. Go calls methods on nil pointers, so getters (<c>GetX</c>, a wrapper's
/// <c>GetValue</c>) return zero values, while the value itself is false in conditions. It is an empty read-only
/// map to the engine (the only falsy shape it has for a value that answers lookups), so it prints as <c>map[]</c>
/// where Go prints <c>&lt;nil&gt;</c>.
/// </summary>
internal sealed class NilMessage(ProtoSchema? schema, ProtoKind? wrapped) : IReadOnlyDictionary<string, object?>
{
    public ProtoSchema? Schema { get; } = schema;

    public int Count => 0;

    public object? this[string key] => TryGetValue(key, out var v) ? v : throw new KeyNotFoundException(key);

    public IEnumerable<string> Keys => [];

    public IEnumerable<object?> Values => [];

    public bool ContainsKey(string key) => false;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        if (wrapped is { } kind && key == "GetValue")
        {
            value = ProtoView.Zero(new ProtoField("value", kind), null);
            return true;
        }

        if (Schema is not null && key.Length > 3 && key.StartsWith("Get", StringComparison.Ordinal) && Schema.Fields.TryGetValue(key[3..], out var field))
        {
            value = ProtoView.Zero(field, Schema.Nested(field));
            return true;
        }

        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => Enumerable.Empty<KeyValuePair<string, object?>>().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
