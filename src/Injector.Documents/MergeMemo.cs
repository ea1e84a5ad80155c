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
    private readonly ConcurrentDictionary<Part, Kept> _merged = new();
    private readonly Func<string?, JsonArray, bool>? _finishList;
    private MergeSchema? _schema;

    public MergeMemo()
    {
    }

    /// <param name="finishList">
    /// Called once on each keyed list kept whole (a list the original lacked), with the list's schema path
    /// (<c>spec/volumes</c>): it may
    /// change the list in place into what the caller's next step would make of it, and says whether it did. The copies
    /// of a finished list hand their elements to the merge's <c>finished</c> collector, so that step can pass them by.
    /// </param>
    public MergeMemo(Func<string?, JsonArray, bool> finishList) => _finishList = finishList;

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

            kept = _merged.GetOrAdd(part, new Kept(merged, Finished: false));
        }

        return (JsonObject)kept.Node.DeepClone();
    }

    /// <summary>
    /// A copy of what the keyed list <paramref name="patch"/> gives merged into no list; its elements join
    /// <paramref name="finished"/> when the kept list was finished.
    /// </summary>
    internal JsonArray List(JsonArray patch, string mergeKey, string listPath, Func<JsonArray, string, string, MergeSchema, JsonArray> merge, MergeSchema schema, List<JsonNode>? finished)
    {
        // The merge key follows from the list's place in the patch, which the path names.
        var part = new Part(patch, listPath);
        if (!_merged.TryGetValue(part, out var kept))
        {
            var list = merge(patch, mergeKey, listPath, schema);
            kept = _merged.GetOrAdd(part, new Kept(list, _finishList is not null && _finishList(listPath, list)));
        }

        var copy = (JsonArray)kept.Node.DeepClone();
        if (kept.Finished && finished is not null)
        {
            foreach (var element in copy)
            {
                if (element is not null)
                {
                    finished.Add(element);
                }
            }
        }

        return copy;
    }

    /// <summary>A kept part, and whether the finisher changed it.</summary>
    private sealed record Kept(JsonNode Node, bool Finished);

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
