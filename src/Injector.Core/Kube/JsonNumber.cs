using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Injector.Core.Kube;

/// <summary>
/// Reads an integer from a JsonNode whatever backs it: text parsed from a request (a JsonElement), a YAML value (long),
/// or a value the pipeline wrote (int). <c>TryGetValue&lt;long&gt;</c> alone misses the last kind.
/// </summary>
public static class JsonNumber
{
    /// <summary>True for a JSON number written as an integer (Go refuses 1.5 and 1e3 for an integer field).</summary>
    public static bool TryGetInt64(JsonNode? node, out long value)
    {
        value = 0;
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
        {
            return false;
        }

        if (v.TryGetValue<long>(out value))
        {
            return true;
        }

        if (v.TryGetValue<int>(out var small))
        {
            value = small;
            return true;
        }

        return long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }
}
