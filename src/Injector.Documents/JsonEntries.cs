using System.Text.Json.Nodes;

namespace Injector.Documents;

/// <summary>
/// Enumerates a <see cref="JsonObject"/>'s properties and a <see cref="JsonArray"/>'s elements by position, without
/// the boxed enumerator their own <c>GetEnumerator</c> returns (an allocation per loop, hundreds per injection).
/// Like theirs, the enumeration refuses a collection whose size changed under it.
/// </summary>
public static class JsonEntries
{
    /// <summary>The object's properties, in order.</summary>
    public static Properties Pairs(this JsonObject obj) => new(obj);

    /// <summary>The array's elements, in order.</summary>
    public static Elements Items(this JsonArray array) => new(array);

    public readonly struct Properties(JsonObject obj)
    {
        public PropertyEnumerator GetEnumerator() => new(obj);
    }

    public struct PropertyEnumerator(JsonObject obj)
    {
        private readonly int _count = obj.Count;
        private int _index = -1;

        public readonly KeyValuePair<string, JsonNode?> Current => obj.GetAt(_index);

        public bool MoveNext()
        {
            if (obj.Count != _count)
            {
                throw new InvalidOperationException("the JSON object changed while it was enumerated");
            }

            return ++_index < _count;
        }
    }

    public readonly struct Elements(JsonArray array)
    {
        public ElementEnumerator GetEnumerator() => new(array);
    }

    public struct ElementEnumerator(JsonArray array)
    {
        private readonly int _count = array.Count;
        private int _index = -1;

        public readonly JsonNode? Current => array[_index];

        public bool MoveNext()
        {
            if (array.Count != _count)
            {
                throw new InvalidOperationException("the JSON array changed while it was enumerated");
            }

            return ++_index < _count;
        }
    }
}
