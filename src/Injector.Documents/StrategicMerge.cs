using System.Text.Json;
using System.Text.Json.Nodes;

namespace Injector.Documents;

/// <summary>
/// Kubernetes strategic merge patch (k8s.io/apimachinery strategicpatch) over schema-less JSON, with list merge
/// keys taken from a <see cref="MergeSchema"/>. Used to overlay the rendered sidecar template onto a pod.
/// </summary>
public static class StrategicMerge
{
    private const string PatchDirective = "$patch";
    private const string RetainKeysDirective = "$retainKeys";
    private const string SetElementOrderPrefix = "$setElementOrder/";
    private const string DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/";

    /// <summary>Returns original with patch applied; neither input is modified.</summary>
    public static JsonObject Apply(JsonObject original, JsonObject patch, MergeSchema schema) => Apply(original, patch, schema, own: false, memo: null);

    /// <summary>
    /// The same, with <paramref name="memo"/> keeping what the patch's parts give where the original has nothing:
    /// for a patch applied to many originals and never changed while the memo lives.
    /// </summary>
    public static JsonObject Apply(JsonObject original, JsonObject patch, MergeSchema schema, MergeMemo? memo) => Apply(original, patch, schema, own: false, memo);

    /// <summary>
    /// The same, changing <paramref name="original"/> in place (usually the result): its parts the patch does not
    /// touch are kept, not copied. For a caller that owns the tree and holds no other reference into it; the patch is
    /// not modified.
    /// </summary>
    public static JsonObject ApplyInPlace(JsonObject original, JsonObject patch, MergeSchema schema) => Apply(original, patch, schema, own: true, memo: null);

    /// <summary>
    /// In place, with a <see cref="MergeMemo"/> for the patch (see <see cref="Apply(JsonObject, JsonObject, MergeSchema, MergeMemo?)"/>);
    /// the elements of the lists copied from parts the memo's finisher changed are added to <paramref name="finished"/>.
    /// </summary>
    public static JsonObject ApplyInPlace(JsonObject original, JsonObject patch, MergeSchema schema, MergeMemo? memo, List<JsonNode>? finished = null) =>
        Apply(original, patch, schema, own: true, memo, finished);

    private static JsonObject Apply(JsonObject original, JsonObject patch, MergeSchema schema, bool own, MergeMemo? memo, List<JsonNode>? finished = null)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(patch);
        ArgumentNullException.ThrowIfNull(schema);
        var merged = MergeMap(original, patch, MergeSchema.RootPrefix(original, patch), schema, own, memo?.For(schema), finished);

        // "$patch: delete" at the root leaves an empty object, as in Kubernetes.
        return merged ?? [];
    }

    /// <summary>
    /// Merges a patch map into an original map: a copy of it, or (<paramref name="own"/>) the map itself, changed in
    /// place. Null means the map was deleted.
    /// </summary>
    private static JsonObject? MergeMap(JsonObject? original, JsonObject patch, string? path, MergeSchema schema, bool own = false, MergeMemo? memo = null, List<JsonNode>? finished = null)
    {
        if (original is null && memo is not null)
        {
            return memo.Map(patch, path, static (p, at, s) => MergeMap(null, p, at, s), schema);
        }

        switch (DirectiveOf(patch))
        {
            case "replace":
                return MergeMap(null, WithoutKey(patch, PatchDirective), path, schema);
            case "delete":
                return null;
        }

        // Each original node is copied once: a child the patch also names is left to the merge below (which reads the
        // original child and builds its own result), so merging into a large pod does not copy it once per level.
        var result = own && original is not null ? original : new JsonObject();
        if (original is not null && !own)
        {
            foreach (var (key, value) in original.Pairs())
            {
                result[key] = patch.ContainsKey(key) && !IsDirectiveKey(key) ? null : value?.DeepClone();
            }
        }

        foreach (var (key, value) in patch.Pairs())
        {
            if (IsDirectiveKey(key))
            {
                continue;
            }

            // Paths come from the schema, made once, and only on the way to a keyed list (null elsewhere).
            var originalChild = original?[key];
            switch (value)
            {
                case null:
                    result.Remove(key);
                    break;
                case JsonValue v when v.GetValueKind() == JsonValueKind.Null:
                    result.Remove(key);
                    break;
                case JsonObject patchMap:
                    var merged = MergeMap(originalChild as JsonObject, patchMap, schema.ChildPath(path, key), schema, own, memo, finished);
                    if (merged is null)
                    {
                        result.Remove(key);
                    }
                    else if (!ReferenceEquals(result[key], merged))
                    {
                        // Merged in place, the child is already there.
                        result[key] = merged;
                    }

                    break;
                case JsonArray patchList:
                    var childPath = schema.ChildPath(path, key);
                    var mergeKey = schema.MergeKeyAt(childPath);
                    result[key] = mergeKey is null
                        ? patchList.DeepClone()
                        : MergeKeyedList(originalChild as JsonArray, patchList, mergeKey, childPath!, schema, own, memo, finished);
                    break;
                default:
                    result[key] = value.DeepClone();
                    break;
            }
        }

        if (patch[RetainKeysDirective] is JsonArray retain)
        {
            var keep = retain.Select(k => k?.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            foreach (var key in result.Select(p => p.Key).Where(k => !keep.Contains(k)).ToList())
            {
                result.Remove(key);
            }
        }

        return result;
    }

    /// <summary>
    /// Merges a patch list into an original list by merge key; an owned original gives up its elements to the result.
    /// The list's schema path, <paramref name="listPath"/>, is known: the list has a merge key.
    /// </summary>
    private static JsonArray MergeKeyedList(JsonArray? originalList, JsonArray patch, string mergeKey, string listPath, MergeSchema schema, bool own, MergeMemo? memo = null, List<JsonNode>? finished = null)
    {
        if (originalList is null && memo is not null)
        {
            return memo.List(patch, mergeKey, listPath, static (p, k, at, s) => MergeKeyedList(null, p, k, at, s, own: false), schema, finished);
        }

        var elementPath = schema.ChildPath(listPath, "*");
        IReadOnlyList<JsonNode?> original = originalList is null ? [] : [.. originalList];
        if (own)
        {
            // Its elements move into the result (a node has one parent), merged in place where the patch names them.
            originalList?.Clear();
        }

        JsonNode? Kept(JsonNode? element) => own ? element : element?.DeepClone();

        // A {"$patch": "replace"} element means: the other patch elements are the whole list.
        if (patch.Any(e => e is JsonObject o && DirectiveOf(o) == "replace" && !o.ContainsKey(mergeKey)))
        {
            var replaced = new JsonArray();
            foreach (var element in patch)
            {
                if (element is JsonObject o && DirectiveOf(o) is not null)
                {
                    continue;
                }

                replaced.Add(element is JsonObject map ? MergeMap(null, map, elementPath, schema) : element?.DeepClone());
            }

            return replaced;
        }

        if (patch.Count == 0)
        {
            return new JsonArray([.. original.Select(Kept)]);
        }

        // Index the original by merge key once, so merging stays linear in the list sizes.
        var originalIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var originalKeys = new string?[original.Count];
        for (var i = 0; i < original.Count; i++)
        {
            if ((originalKeys[i] = KeyOf(original[i], mergeKey)) is { } k)
            {
                originalIndex.TryAdd(k, i);
            }
        }

        var mergedByKey = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var patchOrder = new List<string>();
        var deleted = new HashSet<string>(StringComparer.Ordinal);
        var keyless = new List<JsonNode?>();
        foreach (var element in patch.Items())
        {
            var key = KeyOf(element, mergeKey);
            if (key is null)
            {
                // Elements without the merge key cannot be matched; Kubernetes appends them.
                keyless.Add(element is JsonObject m ? MergeMap(null, m, elementPath, schema, memo: memo) : element?.DeepClone());
                continue;
            }

            var patchElement = (JsonObject)element!;
            if (DirectiveOf(patchElement) == "delete")
            {
                deleted.Add(key);
                mergedByKey.Remove(key);
                patchOrder.Remove(key);
                continue;
            }

            var baseElement = mergedByKey.TryGetValue(key, out var earlier)
                ? earlier as JsonObject
                : originalIndex.TryGetValue(key, out var at) && !deleted.Contains(key) ? original[at] as JsonObject : null;
            if (!mergedByKey.ContainsKey(key))
            {
                patchOrder.Add(key);
            }

            // An element merged before (a key repeated in the patch) is ours whatever the original's owner.
            mergedByKey[key] = MergeMap(baseElement, patchElement, elementPath, schema, own || earlier is not null, memo);
        }

        var serverOnly = new List<JsonNode?>();
        var serverOnlyIndex = new List<int>();
        for (var i = 0; i < original.Count; i++)
        {
            // The key as it was: an element merged in place may have lost it ($retainKeys).
            var key = originalKeys[i];
            if (key is not null && (mergedByKey.ContainsKey(key) || deleted.Contains(key)))
            {
                continue;
            }

            serverOnly.Add(original[i]);
            serverOnlyIndex.Add(i);
        }

        var result = new JsonArray();
        var s = 0;
        var p = 0;
        while (s < serverOnly.Count && p < patchOrder.Count)
        {
            // k8s mergeSortedSlice: keep a server-only element first only when both sit in the original list
            // and it came earlier there; new (patch-only) elements go before the remaining server-only ones.
            var hasOriginal = originalIndex.TryGetValue(patchOrder[p], out var patchOriginalIndex);
            if (hasOriginal && serverOnlyIndex[s] >= 0 && serverOnlyIndex[s] < patchOriginalIndex)
            {
                result.Add(Kept(serverOnly[s++]));
            }
            else
            {
                result.Add(mergedByKey[patchOrder[p++]]);
            }
        }

        while (s < serverOnly.Count)
        {
            result.Add(Kept(serverOnly[s++]));
        }

        while (p < patchOrder.Count)
        {
            result.Add(mergedByKey[patchOrder[p++]]);
        }

        foreach (var element in keyless)
        {
            result.Add(element);
        }

        return result;
    }

    /// <summary>Canonical text of an element's merge key value (numbers by value, so 80 and 80.0 match).</summary>
    private static string? KeyOf(JsonNode? element, string mergeKey)
    {
        if (element is not JsonObject o || !o.TryGetPropertyValue(mergeKey, out var value) || value is not JsonValue v)
        {
            return null;
        }

        return v.GetValueKind() switch
        {
            JsonValueKind.String => "s:" + v.GetValue<string>(),
            JsonValueKind.Number => "n:" + JsonDeepEquality.AsDouble(v).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            _ => "o:" + v.ToJsonString(),
        };
    }

    private static string? DirectiveOf(JsonObject map) =>
        map.TryGetPropertyValue(PatchDirective, out var d) && d is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : null;

    private static bool IsDirectiveKey(string key) =>
        key is PatchDirective or RetainKeysDirective
        || key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal)
        || key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal);

    private static JsonObject WithoutKey(JsonObject map, string key)
    {
        var copy = new JsonObject();
        foreach (var (k, v) in map.Pairs())
        {
            if (k != key)
            {
                copy[k] = v?.DeepClone();
            }
        }

        return copy;
    }
}
