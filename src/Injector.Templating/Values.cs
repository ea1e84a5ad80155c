using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Injector.Templating;

/// <summary>
/// Go's "invalid reflect.Value": what a lookup of an absent map key yields. It prints as
/// <c>&lt;no value&gt;</c>, is false in conditions and becomes nil when passed to a function.
/// A distinct sentinel (rather than null) is needed because Go treats the two differently:
/// field access on a missing value yields missing, field access on nil is an error.
/// </summary>
internal sealed class Missing
{
    public static readonly Missing Value = new();

    private Missing() { }

    public override string ToString() => "<no value>";
}

/// <summary>
/// The engine's data model. Values are normalised once when they are read out of data
/// (integers become long, floats double, JsonValue its primitive), so the rest of the engine
/// switches over a handful of types only.
/// </summary>
internal static class Values
{
    private static readonly object True = true;
    private static readonly object False = false;

    public static object Bool(bool b) => b ? True : False;

    /// <summary>Brings a value read from data or returned by a function into the engine's model.</summary>
    public static object? Normalize(object? v) => v switch
    {
        null => null,
        string or bool or long or double or JsonObject or JsonArray or List<object?> or Dictionary<string, object?> or Missing => v,
        int i => (long)i,
        JsonValue jv => UnwrapJsonValue(jv),
        short s => (long)s,
        byte b => (long)b,
        sbyte sb => (long)sb,
        ushort us => (long)us,
        uint ui => (long)ui,
        ulong ul => (long)ul,
        float f => (double)f,
        decimal m => (double)m,
        char c => c.ToString(),
        // Parsed from its text rather than serialised: no reflection (Native AOT), the same tree.
        JsonElement e => UnwrapJsonNode(JsonNode.Parse(e.GetRawText())),
        _ => v,
    };

    public static object? UnwrapJsonNode(JsonNode? node) => node is JsonValue jv ? UnwrapJsonValue(jv) : node;

    /// <summary>Integral JSON numbers behave as integers, others as float64.</summary>
    public static object? UnwrapJsonValue(JsonValue jv)
    {
        switch (jv.GetValueKind())
        {
            case JsonValueKind.String:
                return jv.GetValue<string>();
            case JsonValueKind.True:
                return True;
            case JsonValueKind.False:
                return False;
            case JsonValueKind.Null:
            case JsonValueKind.Undefined:
                return null;
            case JsonValueKind.Number:
                if (jv.TryGetValue<long>(out var l))
                {
                    return l;
                }
                if (jv.TryGetValue<int>(out var i))
                {
                    return (long)i;
                }
                if (jv.TryGetValue<double>(out var d))
                {
                    return d;
                }
                var text = jv.ToJsonString();
                return long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var pl)
                    ? pl
                    : double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
            default:
                return jv.ToJsonString();
        }
    }

    public static bool IsNil(object? v) => v is null || v is Missing;

    /// <summary>Missing becomes nil when handed to a function (Go's validateType for interface{} parameters).</summary>
    public static object? ForFunction(object? v) => v is Missing ? null : v;

    // The concrete types the engine meets most are tested first: interface checks are comparatively slow.
    public static bool IsMap(object? v) => v switch
    {
        JsonObject or Dictionary<string, object?> => true,
        null or string or bool or long or double or Missing or JsonArray or List<object?> or object?[] => false,
        _ => v is IDictionary<string, object?> or IReadOnlyDictionary<string, object?> or IDictionary,
    };

    public static bool IsList(object? v) => v switch
    {
        JsonArray or List<object?> or object?[] => true,
        null or string or bool or long or double or Missing or JsonObject or Dictionary<string, object?> => false,
        _ => !IsMap(v) && v is IEnumerable && v is not ITemplateFields,
    };

    /// <summary>Exact key lookup in any supported map type.</summary>
    public static bool TryLookup(object map, string key, out object? value)
    {
        switch (map)
        {
            case JsonObject jo:
                if (jo.TryGetPropertyValue(key, out var node))
                {
                    value = UnwrapJsonNode(node);
                    return true;
                }
                break;
            case Dictionary<string, object?> cd when cd.GetType() == typeof(Dictionary<string, object?>):
                if (cd.TryGetValue(key, out var cv))
                {
                    value = Normalize(cv);
                    return true;
                }
                break;
            case IDictionary<string, object?> d:
                if (d.TryGetValue(key, out var dv))
                {
                    value = Normalize(dv);
                    return true;
                }
                break;
            case IReadOnlyDictionary<string, object?> rd:
                if (rd.TryGetValue(key, out var rv))
                {
                    value = Normalize(rv);
                    return true;
                }
                break;
            case IDictionary nd:
                if (nd.Contains(key))
                {
                    value = Normalize(nd[key]);
                    return true;
                }
                break;
        }
        value = null;
        return false;
    }

    /// <summary>Entries of a map in Go's printing/ranging order: keys sorted bytewise (ordinal).</summary>
    public static List<KeyValuePair<string, object?>> SortedEntries(object map)
    {
        var list = new List<KeyValuePair<string, object?>>(MapCount(map));
        switch (map)
        {
            case JsonObject jo:
                foreach (var kv in jo)
                {
                    list.Add(new(kv.Key, UnwrapJsonNode(kv.Value)));
                }
                break;
            case IDictionary<string, object?> d:
                foreach (var kv in d)
                {
                    list.Add(new(kv.Key, Normalize(kv.Value)));
                }
                break;
            case IReadOnlyDictionary<string, object?> rd:
                foreach (var kv in rd)
                {
                    list.Add(new(kv.Key, Normalize(kv.Value)));
                }
                break;
            case IDictionary nd:
                foreach (DictionaryEntry e in nd)
                {
                    list.Add(new(Convert.ToString(e.Key, System.Globalization.CultureInfo.InvariantCulture) ?? "", Normalize(e.Value)));
                }
                break;
        }
        list.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return list;
    }

    public static int MapCount(object map) => map switch
    {
        JsonObject jo => jo.Count,
        IDictionary<string, object?> d => d.Count,
        IReadOnlyDictionary<string, object?> rd => rd.Count,
        IDictionary nd => nd.Count,
        _ => 0,
    };

    /// <summary>A list view whose elements are normalised on read.</summary>
    public static IReadOnlyList<object?> AsList(object v) => v switch
    {
        List<object?> l => l,
        object?[] a => a,
        JsonArray ja => new JsonArrayList(ja),
        IList il => new NormalizingList(il),
        IEnumerable e => e.Cast<object?>().Select(Normalize).ToList(),
        _ => throw new InvalidOperationException("not a list"),
    };

    /// <summary>Copies any list into a fresh mutable list (sprig functions never mutate their inputs' lists).</summary>
    public static List<object?> ToNewList(object? v, int extra = 0)
    {
        if (v is null or Missing)
        {
            return new List<object?>(extra);
        }
        if (!IsList(v))
        {
            throw new InvalidOperationException($"cannot use type {GoTypeName(v)} as a list");
        }
        var src = AsList(v);

        // Room for what the caller adds (append, prepend), so the copy is not copied again to grow.
        var list = new List<object?>(src.Count + extra);
        if (src is List<object?> same)
        {
            list.AddRange(same);
            return list;
        }
        for (var i = 0; i < src.Count; i++)
        {
            list.Add(src[i]);
        }
        return list;
    }

    /// <summary>Go type names for messages and typeOf: the types Go's JSON decoding would produce.</summary>
    public static string GoTypeName(object? v) => v switch
    {
        null or Missing => "<nil>",
        string => "string",
        bool => "bool",
        long => "int",
        double => "float64",
        _ when IsMap(v) => "map[string]interface {}",
        ITemplateFields => v.GetType().Name,
        _ when IsList(v) => "[]interface {}",
        _ => v.GetType().Name,
    };

    /// <summary>Go reflect.Kind names, for kindOf/kindIs.</summary>
    public static string GoKindName(object? v) => v switch
    {
        null or Missing => "invalid",
        string => "string",
        bool => "bool",
        long => "int",
        double => "float64",
        _ when IsMap(v) => "map",
        ITemplateFields => "struct",
        _ when IsList(v) => "slice",
        TemplateFunction => "func",
        _ => "struct",
    };

    private sealed class JsonArrayList(JsonArray inner) : IReadOnlyList<object?>
    {
        public object? this[int index] => UnwrapJsonNode(inner[index]);

        public int Count => inner.Count;

        public IEnumerator<object?> GetEnumerator()
        {
            for (var i = 0; i < inner.Count; i++)
            {
                yield return UnwrapJsonNode(inner[i]);
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class NormalizingList(IList inner) : IReadOnlyList<object?>
    {
        public object? this[int index] => Normalize(inner[index]);

        public int Count => inner.Count;

        public IEnumerator<object?> GetEnumerator()
        {
            for (var i = 0; i < inner.Count; i++)
            {
                yield return Normalize(inner[i]);
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
