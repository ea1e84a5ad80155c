using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace Injector.Documents;

/// <summary>
/// What the parts of one strategic-merge patch give where the original has nothing, kept. A patch applied to many
/// originals (a rendered template's fragment, shared by every pod that renders the same text) gives the same result
/// for each part the original lacks (a new container, a new list), and copying that result is much cheaper than
/// merging it again: merging into nothing still indexes every keyed list (env, ports, volume mounts), checks every
/// directive and builds each map key by key. Only for a patch that is never changed while the memo lives, merged
/// with one schema; safe for concurrent merges, which may each compute a part once before one result is kept.
/// </summary>
public sealed class MergeMemo
{
    private readonly ConcurrentDictionary<Part, JsonNode> _merged = new();
    private MergeSchema? _schema;

    /// <summary>How many parts are kept (tests).</summary>
    internal int Count => _merged.Count;

    /// <summary>This memo for a merge with <paramref name="schema"/>; null (no memo) for a schema other than the one it was first used with.</summary>
    internal MergeMemo? For(MergeSchema schema)
    {
        var bound = Interlocked.CompareExchange(ref _schema, schema, null) ?? schema;
        return ReferenceEquals(bound, schema) ? this : null;
    }

    /// <summary>A copy of what <paramref name="patch"/> gives merged into nothing at <paramref name="path"/>.</summary>
    internal JsonObject? Map(JsonObject patch, string? path, Func<JsonObject, string?, MergeSchema, JsonObject?> merge, MergeSchema schema)
    {
        var part = new Part(patch, path);
        if (!_merged.TryGetValue(part, out var kept))
        {
            if (merge(patch, path, schema) is not { } merged)
            {
                // A "$patch: delete" map: nothing to keep.
                return null;
            }

            kept = _merged.GetOrAdd(part, merged);
        }

        return (JsonObject)kept.DeepClone();
    }

    /// <summary>A copy of what the keyed list <paramref name="patch"/> gives merged into no list.</summary>
    internal JsonArray List(JsonArray patch, string mergeKey, string? elementPath, Func<JsonArray, string, string?, MergeSchema, JsonArray> merge, MergeSchema schema)
    {
        // The merge key and the elements' path follow from the list's place in the patch, which the path names.
        var part = new Part(patch, elementPath);
        if (!_merged.TryGetValue(part, out var kept))
        {
            kept = _merged.GetOrAdd(part, merge(patch, mergeKey, elementPath, schema));
        }

        return (JsonArray)kept.DeepClone();
    }

    /// <summary>A node of the patch (by identity) and the schema path it was merged at.</summary>
    private readonly struct Part(JsonNode node, string? path) : IEquatable<Part>
    {
        private readonly JsonNode _node = node;
        private readonly string? _path = path;

        public bool Equals(Part other) => ReferenceEquals(_node, other._node) && string.Equals(_path, other._path, StringComparison.Ordinal);

        public override bool Equals(object? obj) => obj is Part other && Equals(other);

        public override int GetHashCode() => HashCode.Combine(RuntimeHelpers.GetHashCode(_node), _path is null ? 0 : StringComparer.Ordinal.GetHashCode(_path));
    }
}
