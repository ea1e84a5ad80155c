using System.Text.Json.Nodes;

namespace Injector.Fuzz.Mutations;

/// <summary>A place in a JSON tree: the parent and the property name or array index, with its JSON pointer.</summary>
internal readonly record struct Slot(JsonNode Parent, string? Key, int Index, string Pointer)
{
    public JsonNode? Value => Parent is JsonObject o ? o[Key!] : ((JsonArray)Parent)[Index];

    public void Set(JsonNode? value)
    {
        if (Parent is JsonObject o)
        {
            o[Key!] = value;
        }
        else
        {
            ((JsonArray)Parent)[Index] = value;
        }
    }

    public void Remove()
    {
        if (Parent is JsonObject o)
        {
            o.Remove(Key!);
        }
        else
        {
            ((JsonArray)Parent).RemoveAt(Index);
        }
    }
}

/// <summary>Safe navigation in pods that mutations may already have broken (a property read never throws).</summary>
internal static class PodNav
{
    public static JsonNode? Child(JsonNode? node, string key) =>
        node is JsonObject o && o.TryGetPropertyValue(key, out var value) ? value : null;

    public static JsonObject? Object(JsonNode? node, string key) => Child(node, key) as JsonObject;

    public static JsonArray? Array(JsonNode? node, string key) => Child(node, key) as JsonArray;

    public static string? Text(JsonNode? node, string key) =>
        Child(node, key) is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>The object at <paramref name="key"/>, created when missing; null when something else is there.</summary>
    public static JsonObject? Ensure(JsonObject parent, string key)
    {
        if (!parent.TryGetPropertyValue(key, out var value) || value is null)
        {
            var created = new JsonObject();
            parent[key] = created;
            return created;
        }

        return value as JsonObject;
    }

    /// <summary>The array at <paramref name="key"/>; a new one (replacing whatever else was there) when it is not an array.</summary>
    public static JsonArray EnsureArray(JsonObject parent, string key)
    {
        if (parent.TryGetPropertyValue(key, out var value) && value is JsonArray array)
        {
            return array;
        }

        var created = new JsonArray();
        parent[key] = created;
        return created;
    }

    /// <summary>The pod's annotations, created when missing; null when metadata or annotations are not objects.</summary>
    public static JsonObject? Annotations(JsonObject? pod) =>
        pod is not null && Ensure(pod, "metadata") is { } metadata ? Ensure(metadata, "annotations") : null;

    /// <summary>Every container object of the pod: containers then initContainers.</summary>
    public static List<JsonObject> Containers(JsonObject? pod)
    {
        var spec = Object(pod, "spec");
        var all = new List<JsonObject>();
        foreach (var list in new[] { Array(spec, "containers"), Array(spec, "initContainers") })
        {
            if (list is not null)
            {
                all.AddRange(list.OfType<JsonObject>());
            }
        }

        return all;
    }

    public static List<string> ContainerNames(JsonObject? pod) =>
        [.. Containers(pod).Select(c => Text(c, "name")).OfType<string>()];

    /// <summary>Every slot under <paramref name="root"/> (properties and array elements, at any depth).</summary>
    public static List<Slot> Slots(JsonNode root, string pointer = "")
    {
        var slots = new List<Slot>();
        Collect(root, pointer, slots);
        return slots;
    }

    private static void Collect(JsonNode node, string pointer, List<Slot> slots)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    var child = pointer + "/" + key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
                    slots.Add(new Slot(o, key, -1, child));
                    if (value is not null)
                    {
                        Collect(value, child, slots);
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    var child = pointer + "/" + i;
                    slots.Add(new Slot(a, null, i, child));
                    if (a[i] is { } value)
                    {
                        Collect(value, child, slots);
                    }
                }

                break;
        }
    }
}
