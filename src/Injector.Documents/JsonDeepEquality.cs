using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Injector.Documents;

/// <summary>
/// Structural equality for JSON trees where numbers compare by value (1 == 1.0), since YAML and JSON readers
/// may store the same number as long, double or JsonElement.
/// </summary>
public static class JsonDeepEquality
{
    public static bool AreEqual(JsonNode? a, JsonNode? b)
    {
        switch (a)
        {
            case null:
                return b is null || (b is JsonValue nv && nv.GetValueKind() == JsonValueKind.Null);
            case JsonObject oa:
                if (b is not JsonObject ob || oa.Count != ob.Count)
                {
                    return false;
                }

                foreach (var (key, value) in oa.Pairs())
                {
                    if (!ob.TryGetPropertyValue(key, out var other) || !AreEqual(value, other))
                    {
                        return false;
                    }
                }

                return true;
            case JsonArray aa:
                if (b is not JsonArray ab || aa.Count != ab.Count)
                {
                    return false;
                }

                for (var i = 0; i < aa.Count; i++)
                {
                    if (!AreEqual(aa[i], ab[i]))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValue va:
                return b switch
                {
                    null => va.GetValueKind() == JsonValueKind.Null,
                    JsonValue vb => ValuesEqual(va, vb),
                    _ => false,
                };
            default:
                return false;
        }
    }

    private static bool ValuesEqual(JsonValue a, JsonValue b)
    {
        var ka = a.GetValueKind();
        var kb = b.GetValueKind();
        if (ka != kb)
        {
            return false;
        }

        return ka switch
        {
            JsonValueKind.String => string.Equals(a.GetValue<string>(), b.GetValue<string>(), StringComparison.Ordinal),
            JsonValueKind.Number => NumbersEqual(a, b),
            _ => true,
        };
    }

    private static bool NumbersEqual(JsonValue a, JsonValue b)
    {
        if (TryExact(a, out var la) && TryExact(b, out var lb))
        {
            return la == lb;
        }

        var da = AsDouble(a);
        var db = AsDouble(b);
        return da.Equals(db);
    }

    private static bool TryExact(JsonValue v, out long value)
    {
        if (v.TryGetValue(out value))
        {
            return true;
        }

        if (v.TryGetValue<int>(out var i))
        {
            value = i;
            return true;
        }

        if (v.TryGetValue<JsonElement>(out var e) && e.TryGetInt64(out value))
        {
            return true;
        }

        value = 0;
        return false;
    }

    internal static double AsDouble(JsonValue v)
    {
        if (v.TryGetValue<double>(out var d))
        {
            return d;
        }

        if (TryExact(v, out var l))
        {
            return l;
        }

        if (v.TryGetValue<JsonElement>(out var e))
        {
            return e.GetDouble();
        }

        return double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture);
    }
}
