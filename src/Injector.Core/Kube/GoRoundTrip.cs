using System.Text.Json;
using System.Text.Json.Nodes;
using Injector.Documents;

namespace Injector.Core.Kube;

/// <summary>
/// What Go's encoding/json does to a value decoded into a Kubernetes struct and encoded again (see
/// <c>../shared/k8s/README.md</c>): a key left out at its zero value (<c>initialDelaySeconds: 0</c>,
/// <c>value: ""</c>, an empty list) is dropped, a pointer keeps its <c>0</c>, a <c>null</c> becomes the zero value of a
/// key Go always writes, an absent always-written key appears at its zero (<c>resources: {}</c>,
/// <c>divisor: "0"</c>) and a quantity takes its canonical form. Istio decodes the merged pod into <c>corev1.Pod</c>
/// after each template, so what the templates produced reaches the API server this way.
/// </summary>
/// <remarks>
/// Keys unknown to the Go types are kept (Istio drops them; the patch never removes what it does not own), and so is a
/// value of the wrong JSON type, which <see cref="PodShape"/> then reports instead of Go's decode error. Times are
/// left as written: no template writes one.
/// </remarks>
public static class GoRoundTrip
{
    /// <summary>
    /// The parts of a merged pod the templates produced, as Go writes them: the containers and volumes the templates
    /// named, and each other pod-spec key a template wrote. The user's own containers and volumes are left as written.
    /// </summary>
    /// <param name="pod">The merged pod, changed in place.</param>
    /// <param name="templatePod">What the templates alone produced (its pod-spec keys).</param>
    /// <param name="containers">The names of the containers the templates produced, in either list (a native proxy moves between them).</param>
    /// <param name="volumes">The names of the volumes the templates produced.</param>
    /// <param name="goWritten">Items already as Go writes them (copied from a kept list <see cref="KeptList"/> rewrote): passed by.</param>
    public static void Injected(JsonObject pod, JsonObject templatePod, IReadOnlySet<string> containers, IReadOnlySet<string> volumes, IReadOnlyList<JsonNode>? goWritten = null)
    {
        if (pod["spec"] is not JsonObject spec || templatePod["spec"] is not JsonObject templateSpec)
        {
            return;
        }

        foreach (var (list, type, names) in new[] { ("containers", "Container", containers), ("initContainers", "Container", containers), ("volumes", "Volume", volumes) })
        {
            foreach (var item in PodJson.Items(pod, list))
            {
                if (PodJson.Name(item) is { } name && names.Contains(name) && !Contains(goWritten, item))
                {
                    Struct(item, type);
                }
            }
        }

        foreach (var (key, _) in templateSpec.Pairs())
        {
            if (key is "containers" or "initContainers" or "volumes")
            {
                continue;
            }

            if (PodSchema.Field("PodSpec", key) is { } field && spec[key] is { } value)
            {
                if (field.OmitEmpty && IsZero(value, field))
                {
                    spec.Remove(key);
                }
                else
                {
                    if (Value(value, field.Type, 1) is var rewritten && !ReferenceEquals(rewritten, value))
                    {
                        spec[key] = rewritten;
                    }
                }
            }
        }
    }

    /// <summary>
    /// For a rendered template's <see cref="MergeMemo"/>: a list of containers or volumes a pod lacked, kept whole,
    /// rewritten once as <see cref="Injected"/> would rewrite each of its named items in every pod that takes a copy
    /// (a list the pod lacked holds only the templates' items). False for any other list, which is kept as merged.
    /// Only for merges into a whole pod: merged into a bare pod spec, the lists' paths read the same
    /// (<see cref="MergeSchema"/> roots a bare spec at <c>spec</c>), but nothing else rewrites that spec.
    /// </summary>
    public static bool KeptList(string? listPath, JsonArray list)
    {
        var type = listPath switch
        {
            "spec/containers" or "spec/initContainers" => "Container",
            "spec/volumes" => "Volume",
            _ => null,
        };
        if (type is null)
        {
            return false;
        }

        foreach (var item in list.Items())
        {
            if (item is JsonObject map && PodJson.Name(map) is not null)
            {
                Struct(map, type);
            }
        }

        return true;
    }

    private static bool Contains(IReadOnlyList<JsonNode>? nodes, JsonNode node)
    {
        if (nodes is null)
        {
            return false;
        }

        for (var i = 0; i < nodes.Count; i++)
        {
            if (ReferenceEquals(nodes[i], node))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A copy of a value as Go's <c>json.Marshal</c> writes the typed struct Istio builds from it: keys in declaration
    /// order, unknown keys gone (the struct has no field for them), zero values as <see cref="Struct"/> leaves them. For
    /// JSON Istio writes into a string (the app probers), where key order and <c>null</c>s are part of the bytes.
    /// </summary>
    public static JsonObject Encode(JsonObject value, string structName)
    {
        var copy = (JsonObject)value.DeepClone();
        Struct(copy, structName);
        return Ordered(copy, structName);
    }

    /// <summary>
    /// A copy in Go's declaration order, nested structs and lists of structs too, with the keys Go always writes added
    /// at their zero; nothing is dropped and unknown keys follow the known ones. For records Istio writes from typed
    /// structs (<c>proxy.istio.io/overrides</c>) whose content must survive re-injection as the user wrote it.
    /// </summary>
    public static JsonObject InGoOrder(JsonObject value, string structName)
    {
        var copy = (JsonObject)value.DeepClone();
        foreach (var key in PodSchema.AlwaysWritten(structName))
        {
            if (!copy.ContainsKey(key))
            {
                copy[key] = Zero(PodSchema.Field(structName, key)!);
            }
        }

        return Ordered(copy, structName, keepUnknown: true);
    }

    private static JsonObject Ordered(JsonObject value, string structName, bool keepUnknown = false)
    {
        var ordered = new JsonObject();
        foreach (var key in PodSchema.Keys(structName))
        {
            if (!value.TryGetPropertyValue(key, out var node))
            {
                continue;
            }

            value.Remove(key);
            ordered[key] = OrderedValue(node, PodSchema.Field(structName, key)!.Type, keepUnknown);
        }

        if (keepUnknown)
        {
            foreach (var key in value.Select(kv => kv.Key).ToList())
            {
                var node = value[key];
                value.Remove(key);
                ordered[key] = node;
            }
        }

        return ordered;
    }

    private static JsonNode? OrderedValue(JsonNode? node, string type, bool keepUnknown)
    {
        var element = type.StartsWith("[]", StringComparison.Ordinal) ? type[2..] : null;
        switch (node)
        {
            case JsonObject inner when PodSchema.IsStruct(type):
                return Ordered(inner, type, keepUnknown);
            case JsonObject map when type.StartsWith("map:", StringComparison.Ordinal):
                // Go writes map keys sorted bytewise (resources.limits: cpu before memory).
                var entries = map.Select(kv => kv.Key).Order(StringComparer.Ordinal).Select(k => (Key: k, Value: map[k])).ToList();
                map.Clear();
                return new JsonObject(entries.Select(e => KeyValuePair.Create(e.Key, e.Value)));
            case JsonArray list when element is not null && PodSchema.IsStruct(element):
                var items = list.Select(i => i).ToList();
                list.Clear();
                return new JsonArray([.. items.Select(i => i is JsonObject o ? Ordered(o, element, keepUnknown) : i)]);
            default:
                return node;
        }
    }

    /// <summary>Rewrites an object of the given struct in place.</summary>
    public static void Struct(JsonObject value, string structName, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            throw new InsufficientExecutionStackException();
        }

        // By position, from the last: a removal leaves the positions still to visit as they were, and a rewritten
        // value takes its key's place (no list of changes to collect first).
        for (var i = value.Count - 1; i >= 0; i--)
        {
            var (key, node) = value.GetAt(i);
            if (PodSchema.Field(structName, key) is not { } field)
            {
                continue;
            }

            if (field.OmitEmpty && IsZero(node, field))
            {
                value.RemoveAt(i);
            }
            else if (node is null)
            {
                value.SetAt(i, Zero(field));
            }
            else if (Value(node, field.Type, depth + 1) is var rewritten && !ReferenceEquals(rewritten, node))
            {
                value.SetAt(i, rewritten);
            }
        }

        foreach (var key in PodSchema.AlwaysWritten(structName))
        {
            if (!value.ContainsKey(key))
            {
                value[key] = Zero(PodSchema.Field(structName, key)!);
            }
        }
    }

    /// <summary>A value of the type token as Go writes it; the same node, changed in place, where it is a container.</summary>
    private static JsonNode? Value(JsonNode node, string type, int depth)
    {
        switch (node)
        {
            case JsonObject obj when PodSchema.IsStruct(type):
                Struct(obj, type, depth);
                return obj;
            case JsonArray list when type.StartsWith("[]", StringComparison.Ordinal):
                var element = PodSchema.ElementOf(type);
                for (var i = 0; i < list.Count; i++)
                {
                    if (Element(list[i], element, depth) is var item && !ReferenceEquals(item, list[i]))
                    {
                        list[i] = item;
                    }
                }

                return list;
            case JsonObject map when type.StartsWith("map:", StringComparison.Ordinal):
                var valueType = PodSchema.ElementOf(type);
                List<(string, JsonNode?)>? changed = null;
                foreach (var (key, entry) in map.Pairs())
                {
                    if (Element(entry, valueType, depth) is var rewritten && !ReferenceEquals(rewritten, entry))
                    {
                        (changed ??= []).Add((key, rewritten));
                    }
                }

                foreach (var (key, rewritten) in changed ?? [])
                {
                    map[key] = rewritten;
                }

                return map;
            case JsonValue quantity when type == "Quantity" && quantity.GetValueKind() is JsonValueKind.String or JsonValueKind.Number:
                // A number decodes as a quantity too (1 → "1"); the canonical text is what Go writes.
                var text = quantity.ToString();
                return Quantity.Canonicalize(text) is not { } canonical || (canonical == text && quantity.GetValueKind() == JsonValueKind.String)
                    ? quantity
                    : JsonValue.Create(canonical);
            default:
                return node;
        }
    }

    /// <summary>A list element or map value: <c>null</c> decodes to the element's zero value.</summary>
    private static JsonNode? Element(JsonNode? node, string type, int depth) =>
        node is null ? Zero(new GoField(type, Pointer: false, OmitEmpty: false)) : Value(node, type, depth + 1);

    /// <summary>Whether Go, after decoding, holds the field's zero value (which omitempty leaves out).</summary>
    private static bool IsZero(JsonNode? node, GoField field)
    {
        if (node is null)
        {
            return true;
        }

        if (field.Pointer)
        {
            return false;
        }

        return node switch
        {
            JsonArray list => list.Count == 0,
            JsonObject map => field.Type.StartsWith("map:", StringComparison.Ordinal) && map.Count == 0,
            JsonValue v => field.Type switch
            {
                "string" => v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length == 0,
                "bool" => v.GetValueKind() == JsonValueKind.False,
                "int32" or "int64" => v.GetValueKind() == JsonValueKind.Number && IsNumericZero(v.ToJsonString()),
                _ => false,
            },
            _ => false,
        };
    }

    /// <summary>A JSON number that is zero (<c>0</c>, <c>-0</c>, <c>0.0</c>, <c>0e5</c>), whatever the node's backing type.</summary>
    private static bool IsNumericZero(string number) =>
        decimal.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n == 0 : number.TrimStart('-').TrimStart('0', '.').Length == 0;

    /// <summary>What Go writes for a field at its zero value.</summary>
    private static JsonNode? Zero(GoField field)
    {
        if (field.Pointer)
        {
            return null;
        }

        return field.Type switch
        {
            "string" => JsonValue.Create(""),
            "bool" => JsonValue.Create(false),
            "int32" or "int64" or "IntOrString" => JsonValue.Create(0),
            "Quantity" => JsonValue.Create("0"),
            _ when PodSchema.IsStruct(field.Type) => ZeroStruct(field.Type),
            _ => null,
        };
    }

    private static JsonObject ZeroStruct(string structName)
    {
        var zero = new JsonObject();
        Struct(zero, structName);
        return zero;
    }

    /// <summary>The Pod types nest at most a dozen levels; deeper means a cycle in the schema or a hostile value.</summary>
    private const int MaxDepth = 64;
}
