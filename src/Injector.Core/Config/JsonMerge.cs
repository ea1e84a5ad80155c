using System.Text.Json.Nodes;

namespace Injector.Core.Config;

/// <summary>Helm-style value merging: maps merge key by key, anything else is replaced, and a null deletes the key.</summary>
internal static class JsonMerge
{
    /// <summary>Merges <paramref name="overlay"/> into <paramref name="target"/> in place.</summary>
    public static void Into(JsonObject target, JsonObject overlay)
    {
        foreach (var (key, value) in overlay)
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject o && target[key] is JsonObject existing)
            {
                Into(existing, o);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    /// <summary>Walks (creating maps as needed) to the parent of a dotted path and returns it with the last key.</summary>
    public static (JsonObject Parent, string Key) Walk(JsonObject root, IReadOnlyList<string> path, string display)
    {
        var node = root;
        for (var i = 0; i < path.Count - 1; i++)
        {
            switch (node[path[i]])
            {
                case JsonObject child:
                    node = child;
                    break;
                case null:
                    var created = new JsonObject();
                    node[path[i]] = created;
                    node = created;
                    break;
                default:
                    throw new ConfigException($"{display}: '{string.Join('.', path.Take(i + 1))}' is not a map");
            }
        }

        return (node, path[^1]);
    }
}
