using System.Text.Json.Nodes;

namespace Injector.Core.Kube;

/// <summary>Small accessors over a pod's raw JSON, which is never re-serialised through a typed model.</summary>
public static class PodJson
{
    public const string ProxyContainer = "istio-proxy";
    public const string InitContainer = "istio-init";
    public const string ValidationContainer = "istio-validation";

    public static JsonObject Metadata(JsonObject pod) => Child(pod, "metadata");

    public static JsonObject Spec(JsonObject pod) => Child(pod, "spec");

    public static JsonObject Labels(JsonObject pod) => Child(Metadata(pod), "labels");

    public static JsonObject Annotations(JsonObject pod) => Child(Metadata(pod), "annotations");

    public static JsonObject? AnnotationsOrNull(JsonObject pod) => (pod["metadata"] as JsonObject)?["annotations"] as JsonObject;

    public static JsonArray? List(JsonObject pod, string field) => (pod["spec"] as JsonObject)?[field] as JsonArray;

    /// <summary>The maps of a list in the spec, in order; enumerated by position (these loops run many times per injection).</summary>
    public static ObjectItems Items(JsonObject pod, string field) => new(List(pod, field), null);

    /// <summary>The maps of two lists in the spec, the first list's then the second's.</summary>
    public static ObjectItems Items(JsonObject pod, string first, string second) => new(List(pod, first), List(pod, second));

    /// <summary>The maps of any list (a container's mounts, say), in order.</summary>
    public static ObjectItems Maps(JsonArray? list) => new(list, null);

    public static string? Name(JsonNode? container) => (container as JsonObject)?["name"]?.ToString();

    /// <summary>The first map of the named list whose name is <paramref name="name"/> (a loop: it runs many times per injection).</summary>
    public static JsonObject? Find(JsonObject pod, string field, string name)
    {
        if (List(pod, field) is not { } list)
        {
            return null;
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is JsonObject item && Name(item) == name)
            {
                return item;
            }
        }

        return null;
    }

    public static JsonObject? Proxy(JsonObject pod) => Find(pod, "containers", ProxyContainer) ?? Find(pod, "initContainers", ProxyContainer);

    /// <summary>The child map, created when absent.</summary>
    public static JsonObject Child(JsonObject parent, string key)
    {
        if (parent[key] is JsonObject existing)
        {
            return existing;
        }

        var created = new JsonObject();
        parent[key] = created;
        return created;
    }

    /// <summary>Removes every element of a named list whose name is in <paramref name="names"/>; drops the list if it ends up empty and was not empty before.</summary>
    public static void RemoveNamed(JsonObject spec, string field, IReadOnlySet<string> names)
    {
        if (spec[field] is not JsonArray list || names.Count == 0 || list.Count == 0)
        {
            return;
        }

        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (list[i]?["name"]?.ToString() is { } n && names.Contains(n))
            {
                list.RemoveAt(i);
            }
        }

        if (list.Count == 0)
        {
            spec.Remove(field);
        }
    }

    public static string? Text(JsonNode? node) => node?.ToString();

    /// <summary>
    /// The maps of up to two lists, skipping anything else. <c>foreach</c> takes the struct enumerator (no allocation);
    /// LINQ gets an ordinary enumerable. Like a list's own enumerator, it refuses a list whose size changed under it.
    /// </summary>
    public readonly struct ObjectItems(JsonArray? first, JsonArray? second) : IEnumerable<JsonObject>
    {
        /// <summary>No map in either list.</summary>
        public bool IsEmpty => !GetEnumerator().MoveNext();

        public Enumerator GetEnumerator() => new(first, second);

        IEnumerator<JsonObject> IEnumerable<JsonObject>.GetEnumerator() => Enumerate(first, second).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => Enumerate(first, second).GetEnumerator();

        private static IEnumerable<JsonObject> Enumerate(JsonArray? first, JsonArray? second)
        {
            foreach (var item in new ObjectItems(first, second))
            {
                yield return item;
            }
        }

        public struct Enumerator(JsonArray? first, JsonArray? second)
        {
            // An absent first list: the second is the only one.
            private JsonArray? _list = first ?? second;
            private JsonArray? _next = first is null ? null : second;
            private int _count = (first ?? second)?.Count ?? 0;
            private int _index = -1;
            private JsonObject? _current;

            public readonly JsonObject Current => _current!;

            public bool MoveNext()
            {
                while (_list is not null)
                {
                    if (_list.Count != _count)
                    {
                        throw new InvalidOperationException("the list changed while it was enumerated");
                    }

                    while (++_index < _count)
                    {
                        if (_list[_index] is JsonObject item)
                        {
                            _current = item;
                            return true;
                        }
                    }

                    (_list, _next, _index) = (_next, null, -1);
                    _count = _list?.Count ?? 0;
                }

                return false;
            }
        }
    }
}
