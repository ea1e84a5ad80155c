using System.Text.Json.Nodes;

namespace Injector.Core.Kube;

/// <summary>One JSON key of a Kubernetes Go struct.</summary>
/// <param name="Type">The type token (see <see cref="PodSchema"/>), without pointer or omitempty marks.</param>
/// <param name="Pointer">A Go pointer: its zero is nil, so <c>0</c>, <c>""</c> and <c>false</c> are kept.</param>
/// <param name="OmitEmpty">Go's encoding/json leaves the key out when the field holds its zero value.</param>
public sealed record GoField(string Type, bool Pointer, bool OmitEmpty)
{
    /// <summary>A struct by value (not a pointer, list, map, scalar or custom-marshalled type): Go always writes it.</summary>
    public bool IsStruct => !Pointer && PodSchema.TypeOf(Type).Kind == GoKind.Struct;
}

/// <summary>
/// The JSON shape of <c>k8s.io/api/core/v1.Pod</c>: for each Go struct, its JSON keys and their types. Generated from
/// the Kubernetes Go types (see <c>PodSchemaTests</c>) and embedded, so the core can refuse a pod the API server
/// could not decode before any step reads a field of the wrong type, and can write what it produces the way Go does.
/// </summary>
/// <remarks>
/// Type tokens: <c>string</c>, <c>bool</c>, <c>int32</c>, <c>int64</c>, <c>Quantity</c>, <c>Time</c>, <c>IntOrString</c>,
/// <c>FieldsV1</c> (any JSON), a struct name, <c>[]T</c> (a list) or <c>map:T</c> (a map with string keys); a leading
/// <c>*</c> marks a pointer and a trailing <c>,omitempty</c> a key left out at its Go zero value.
/// </remarks>
public static class PodSchema
{
    private static readonly Dictionary<string, GoField> NoFields = [];

    private static readonly Dictionary<string, Dictionary<string, GoField>> Structs = Load();

    /// <summary>Per struct, the keys Go always writes: computed once, asked for every struct an injection writes.</summary>
    private static readonly Dictionary<string, string[]> Always = Structs.ToDictionary(
        s => s.Key, s => s.Value.Where(f => !f.Value.OmitEmpty).Select(f => f.Key).ToArray(), StringComparer.Ordinal);

    /// <summary>The type token of a struct's JSON key; null when the struct has no such key (unknown fields pass through).</summary>
    public static string? FieldType(string structName, string jsonKey) => Field(structName, jsonKey)?.Type;

    /// <summary>A struct's JSON key; null when the struct has no such key.</summary>
    public static GoField? Field(string structName, string jsonKey) =>
        Structs.TryGetValue(structName, out var fields) && fields.TryGetValue(jsonKey, out var field) ? field : null;

    /// <summary>
    /// The JSON keys of a struct, in declaration order (inline structs expanded); empty for an unknown struct. The
    /// concrete collection, so a loop over it does not box its enumerator.
    /// </summary>
    public static Dictionary<string, GoField>.KeyCollection Keys(string structName) =>
        (Structs.TryGetValue(structName, out var fields) ? fields : NoFields).Keys;

    /// <summary>The keys Go writes even at their zero value, in declaration order.</summary>
    public static string[] AlwaysWritten(string structName) =>
        Always.TryGetValue(structName, out var keys) ? keys : [];

    /// <summary>
    /// The element type of a list (<c>[]T</c>) or map (<c>map:T</c>) token: <c>T</c>, remembered (the tokens are the
    /// schema's, a fixed set), since the walks over a pod ask for it at every list and map.
    /// </summary>
    public static string ElementOf(string type) => Elements.TryGetValue(type, out var element)
        ? element
        : Elements.GetOrAdd(type, static t => t.StartsWith("[]", StringComparison.Ordinal) ? t[2..] : t.StartsWith("map:", StringComparison.Ordinal) ? t[4..] : t);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Elements = new(StringComparer.Ordinal);

    /// <summary>Whether a type token names a struct of the schema.</summary>
    public static bool IsStruct(string type) => Structs.ContainsKey(type);

    /// <summary>
    /// A type token read once into what a walk over a pod asks of it at every node: its kind, its element type, a
    /// struct's fields by JSON key. The walks then dispatch on a number and look a key up once, instead of comparing
    /// the token's text and looking the struct up again for every key.
    /// </summary>
    public static GoType TypeOf(string token) =>
        Types.TryGetValue(token, out var type) ? type : Compile(token, new Dictionary<string, GoType>(StringComparer.Ordinal));

    /// <summary>Every token of the schema, read once at start (a walk never finds one half made) and only read after.</summary>
    private static readonly Dictionary<string, GoType> Types = CompileAll();

    private static Dictionary<string, GoType> CompileAll()
    {
        var types = new Dictionary<string, GoType>(StringComparer.Ordinal);
        foreach (var (name, fields) in Structs)
        {
            Compile(name, types);
            foreach (var field in fields.Values)
            {
                Compile(field.Type, types);
            }
        }

        return types;
    }

    /// <summary>Reads a token into <paramref name="types"/> (a type is kept before its parts are filled, so a cycle finds it).</summary>
    private static GoType Compile(string token, Dictionary<string, GoType> types)
    {
        // A token outside the schema (asked for after start) is read into a copy of its own, whose known parts are the
        // kept table's: that table is never written after start.
        if (types.TryGetValue(token, out var made) || (Types is { } kept && kept.TryGetValue(token, out made)))
        {
            return made;
        }

        var kind = token switch
        {
            "string" => GoKind.String,
            "bool" => GoKind.Bool,
            "int32" => GoKind.Int32,
            "int64" => GoKind.Int64,
            "IntOrString" => GoKind.IntOrString,
            "Quantity" => GoKind.Quantity,
            "Time" => GoKind.Time,
            "FieldsV1" => GoKind.FieldsV1,
            _ when token.StartsWith("[]", StringComparison.Ordinal) => GoKind.List,
            _ when token.StartsWith("map:", StringComparison.Ordinal) => GoKind.Map,
            _ => GoKind.Struct,
        };

        var type = new GoType(token, kind);
        types[token] = type;
        if (kind is GoKind.List or GoKind.Map)
        {
            type.Element = Compile(ElementOf(token), types);
        }
        else if (kind == GoKind.Struct)
        {
            var fields = Structs.TryGetValue(token, out var byKey) ? byKey : NoFields;
            type.FieldTypes = fields.ToDictionary(f => f.Key, f => Compile(f.Value.Type, types), StringComparer.Ordinal);
        }

        return type;
    }

    private static Dictionary<string, Dictionary<string, GoField>> Load()
    {
        using var stream = typeof(PodSchema).Assembly.GetManifestResourceStream("Injector.Core.Kube.pod-schema.json")
            ?? throw new InvalidOperationException("embedded resource pod-schema.json is missing");
        var root = JsonNode.Parse(stream)!.AsObject();
        var structs = new Dictionary<string, Dictionary<string, GoField>>(StringComparer.Ordinal);
        foreach (var (name, fields) in root)
        {
            structs[name] = fields!.AsObject().ToDictionary(f => f.Key, f => Parse(f.Value!.GetValue<string>()), StringComparer.Ordinal);
        }

        return structs;
    }

    private static GoField Parse(string token)
    {
        var omitEmpty = token.EndsWith(",omitempty", StringComparison.Ordinal);
        var type = omitEmpty ? token[..^",omitempty".Length] : token;
        var pointer = type.StartsWith('*');
        return new GoField(pointer ? type[1..] : type, pointer, omitEmpty);
    }
}

/// <summary>What kind of JSON a type token stands for (see <see cref="PodSchema"/>'s tokens).</summary>
public enum GoKind
{
    String,
    Bool,
    Int32,
    Int64,
    IntOrString,
    Quantity,
    Time,
    FieldsV1,
    Struct,
    List,
    Map,
}

/// <summary>A type token, read (<see cref="PodSchema.TypeOf"/>).</summary>
public sealed class GoType
{
    internal GoType(string token, GoKind kind)
    {
        Token = token;
        Kind = kind;
    }

    public string Token { get; }

    public GoKind Kind { get; }

    /// <summary>A list's or map's element type.</summary>
    public GoType? Element { get; internal set; }

    /// <summary>A struct's fields' types by JSON key (empty for a struct the schema does not know).</summary>
    public IReadOnlyDictionary<string, GoType>? Fields => FieldTypes;

    /// <summary>The same, as the concrete dictionary the walks look keys up in.</summary>
    internal Dictionary<string, GoType>? FieldTypes { get; set; }

    public override string ToString() => Token;
}
