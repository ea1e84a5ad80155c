using System.Text.Json;
using System.Text.Json.Nodes;

namespace Injector.Documents;

/// <summary>
/// Computes an RFC 6902 patch turning one JSON tree into another, as admission webhooks return it. Arrays are
/// diffed by trimming the common prefix and suffix first, so inserting a container at the front of a list is a
/// single "add" instead of a cascade of replacements.
/// </summary>
public static class JsonPatchDiff
{
    /// <summary>The patch as a tree of operations (its values are copies).</summary>
    public static JsonArray Create(JsonNode? from, JsonNode? to)
    {
        var ops = new TreeOps(new JsonArray());
        new Differ<TreeOps>(ops).Diff(from, to);
        return ops.Array;
    }

    /// <summary>
    /// The patch as the UTF-8 JSON an admission response carries: the bytes <see cref="Create"/>'s tree serialises to
    /// (same operations, same escaping), written straight from the two trees, so no value is copied and no path is
    /// built for a part that did not change.
    /// </summary>
    public static byte[] CreateUtf8(JsonNode? from, JsonNode? to)
    {
        var writer = PatchWriter.Start();
        try
        {
            writer.WriteStartArray();
            new Differ<WriterOps>(new WriterOps(writer)).Diff(from, to);
            writer.WriteEndArray();
            return PatchWriter.Written.ToArray();
        }
        finally
        {
            PatchWriter.Finish();
        }
    }

    /// <summary>One writer and buffer per thread for the patch: only the result is allocated.</summary>
    private static readonly ThreadJsonWriter PatchWriter = new(default, initialBytes: 16 * 1024, maxKeptBytes: 1024 * 1024);

    /// <summary>Where the operations go.</summary>
    private interface IOps
    {
        void Add(string op, ReadOnlySpan<char> path, JsonNode? value);

        void Remove(ReadOnlySpan<char> path);
    }

    private readonly struct TreeOps(JsonArray array) : IOps
    {
        public JsonArray Array => array;

        // Typed as JsonNode so JsonArray.Add takes the node itself: Add<JsonObject> would go through JsonValue's
        // reflection-based conversion (a Native AOT warning), only to find it is already a node.
        public void Add(string op, ReadOnlySpan<char> path, JsonNode? value) =>
            array.Add((JsonNode)new JsonObject { ["op"] = op, ["path"] = path.ToString(), ["value"] = value?.DeepClone() });

        public void Remove(ReadOnlySpan<char> path) => array.Add((JsonNode)new JsonObject { ["op"] = "remove", ["path"] = path.ToString() });
    }

    private readonly struct WriterOps(Utf8JsonWriter writer) : IOps
    {
        public void Add(string op, ReadOnlySpan<char> path, JsonNode? value)
        {
            writer.WriteStartObject();
            writer.WriteString("op"u8, op);
            writer.WriteString("path"u8, path);
            writer.WritePropertyName("value"u8);
            if (value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        public void Remove(ReadOnlySpan<char> path)
        {
            writer.WriteStartObject();
            writer.WriteString("op"u8, "remove"u8);
            writer.WriteString("path"u8, path);
            writer.WriteEndObject();
        }
    }

    /// <summary>The diff, with the current JSON pointer in one growing buffer (a path is made only for an operation).</summary>
    private struct Differ<TOps>(TOps ops)
        where TOps : IOps
    {
        private char[] _path = new char[256];
        private int _length;

        public void Diff(JsonNode? from, JsonNode? to)
        {
            switch (from, to)
            {
                case (JsonObject a, JsonObject b):
                    DiffObjects(a, b);
                    break;
                case (JsonArray a, JsonArray b):
                    DiffArrays(a, b);
                    break;
                default:
                    if (!JsonDeepEquality.AreEqual(from, to))
                    {
                        ops.Add("replace", Path, to);
                    }

                    break;
            }
        }

        private readonly ReadOnlySpan<char> Path => _path.AsSpan(0, _length);

        private void DiffObjects(JsonObject from, JsonObject to)
        {
            for (var i = 0; i < from.Count; i++)
            {
                var (key, value) = from.GetAt(i);
                var mark = Push(key);
                if (to.TryGetPropertyValue(key, out var other))
                {
                    Diff(value, other);
                }
                else
                {
                    ops.Remove(Path);
                }

                _length = mark;
            }

            for (var i = 0; i < to.Count; i++)
            {
                var (key, value) = to.GetAt(i);
                if (!from.ContainsKey(key))
                {
                    var mark = Push(key);
                    ops.Add("add", Path, value);
                    _length = mark;
                }
            }
        }

        private void DiffArrays(JsonArray from, JsonArray to)
        {
            var prefix = 0;
            var shorter = Math.Min(from.Count, to.Count);
            while (prefix < shorter && JsonDeepEquality.AreEqual(from[prefix], to[prefix]))
            {
                prefix++;
            }

            var suffix = 0;
            while (suffix < shorter - prefix && JsonDeepEquality.AreEqual(from[from.Count - 1 - suffix], to[to.Count - 1 - suffix]))
            {
                suffix++;
            }

            var oldCount = from.Count - prefix - suffix;
            var newCount = to.Count - prefix - suffix;

            // Shared positions are diffed in place; indices below them never shift because adds/removes come after.
            var shared = Math.Min(oldCount, newCount);
            for (var i = 0; i < shared; i++)
            {
                var mark = Push(prefix + i);
                Diff(from[prefix + i], to[prefix + i]);
                _length = mark;
            }

            // Removing from the highest index down keeps the remaining indices valid while the patch is applied.
            for (var i = oldCount - 1; i >= shared; i--)
            {
                var mark = Push(prefix + i);
                ops.Remove(Path);
                _length = mark;
            }

            for (var i = shared; i < newCount; i++)
            {
                var mark = Push(prefix + i);
                ops.Add("add", Path, to[prefix + i]);
                _length = mark;
            }
        }

        /// <summary>Appends "/" and the escaped key (RFC 6901: "~" → "~0", "/" → "~1"); returns the length to go back to.</summary>
        private int Push(string key)
        {
            var mark = _length;
            Ensure(1 + (2 * key.Length));
            _path[_length++] = '/';
            foreach (var c in key)
            {
                switch (c)
                {
                    case '~':
                        _path[_length++] = '~';
                        _path[_length++] = '0';
                        break;
                    case '/':
                        _path[_length++] = '~';
                        _path[_length++] = '1';
                        break;
                    default:
                        _path[_length++] = c;
                        break;
                }
            }

            return mark;
        }

        private int Push(int index)
        {
            var mark = _length;
            Ensure(12);
            _path[_length++] = '/';
            index.TryFormat(_path.AsSpan(_length), out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
            _length += written;
            return mark;
        }

        private void Ensure(int more)
        {
            if (_length + more > _path.Length)
            {
                Array.Resize(ref _path, Math.Max(_path.Length * 2, _length + more));
            }
        }
    }
}
