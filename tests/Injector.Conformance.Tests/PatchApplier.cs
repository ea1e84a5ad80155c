using System.Text.Json.Nodes;

namespace Injector.Conformance.Tests;

/// <summary>Applies RFC 6902 add/remove/replace operations to a JSON tree, strictly (a missing path is an error).</summary>
public static class PatchApplier
{
    public static JsonNode Apply(JsonNode document, JsonArray patch)
    {
        var root = document.DeepClone();
        foreach (var op in patch.OfType<JsonObject>())
        {
            var path = op["path"]!.ToString();
            var segments = path.Split('/').Skip(1).Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();
            var parent = root;
            foreach (var segment in segments.Take(segments.Count - 1))
            {
                parent = parent switch
                {
                    JsonObject o => o[segment] ?? throw new InvalidOperationException($"{path}: no {segment}"),
                    JsonArray a => a[int.Parse(segment, System.Globalization.CultureInfo.InvariantCulture)] ?? throw new InvalidOperationException($"{path}: null at {segment}"),
                    _ => throw new InvalidOperationException($"{path}: cannot descend into a scalar"),
                };
            }

            var last = segments[^1];
            var value = op["value"]?.DeepClone();
            switch (op["op"]!.ToString(), parent)
            {
                case ("add", JsonObject o):
                    o[last] = value;
                    break;
                case ("add", JsonArray a):
                    if (last == "-")
                    {
                        a.Add(value);
                    }
                    else
                    {
                        a.Insert(int.Parse(last, System.Globalization.CultureInfo.InvariantCulture), value);
                    }

                    break;
                case ("replace", JsonObject o) when o.ContainsKey(last):
                    o[last] = value;
                    break;
                case ("replace", JsonArray a):
                    a[int.Parse(last, System.Globalization.CultureInfo.InvariantCulture)] = value;
                    break;
                case ("remove", JsonObject o) when o.ContainsKey(last):
                    o.Remove(last);
                    break;
                case ("remove", JsonArray a):
                    a.RemoveAt(int.Parse(last, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    throw new InvalidOperationException($"cannot apply {op.ToJsonString()}");
            }
        }

        return root;
    }
}
