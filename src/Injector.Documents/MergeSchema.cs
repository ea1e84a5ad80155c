using System.Text.Json.Nodes;

namespace Injector.Documents;

/// <summary>
/// Merge keys of lists that strategic merge patch merges element by element, addressed by paths relative to
/// the Pod object ("spec/containers/*/env"; "*" stands for any list element). Lists not listed are replaced.
/// </summary>
public sealed class MergeSchema
{
    private readonly Dictionary<string, string> _mergeKeys;

    /// <summary>Path → key → the child's path, for the children on the way to a keyed list (the only paths a merge needs).</summary>
    private readonly Dictionary<string, Dictionary<string, string>> _children = new(StringComparer.Ordinal);

    public MergeSchema(IReadOnlyDictionary<string, string> mergeKeys)
    {
        ArgumentNullException.ThrowIfNull(mergeKeys);
        _mergeKeys = new Dictionary<string, string>(mergeKeys, StringComparer.Ordinal);
        foreach (var path in _mergeKeys.Keys)
        {
            var parent = "";
            foreach (var segment in path.Split('/'))
            {
                var child = parent.Length == 0 ? segment : parent + "/" + segment;
                if (!_children.TryGetValue(parent, out var children))
                {
                    _children[parent] = children = new Dictionary<string, string>(StringComparer.Ordinal);
                }

                parent = children.TryAdd(segment, child) ? child : children[segment];
            }
        }
    }

    /// <summary>Pod (and bare PodSpec) merge keys from k8s.io/api core/v1 patchMergeKey tags.</summary>
    public static MergeSchema Pod { get; } = new(BuildPod());

    /// <summary>The merge key of the list at <paramref name="path"/>, or null when the list is replaced whole.</summary>
    public string? MergeKeyAt(string? path) => path is null ? null : _mergeKeys.GetValueOrDefault(path);

    /// <summary>
    /// The path of <paramref name="parent"/>'s child <paramref name="key"/> ("*" for a list's elements) when a keyed list
    /// lies at or below it; null when none does (nothing below is merged by key, so no path is needed). Made once.
    /// </summary>
    public string? ChildPath(string? parent, string key) =>
        parent is not null && _children.TryGetValue(parent, out var children) && children.TryGetValue(key, out var child) ? child : null;

    /// <summary>
    /// Where the document root sits in the Pod: a Pod has spec/metadata/kind at the top, anything else is taken to
    /// be a bare PodSpec, whose lists then live under "spec/".
    /// </summary>
    internal static string RootPrefix(JsonObject original, JsonObject patch)
    {
        static bool LooksLikePod(JsonObject o) =>
            o.ContainsKey("spec") || o.ContainsKey("metadata") || o.ContainsKey("kind") || o.ContainsKey("apiVersion") || o.ContainsKey("status");

        return LooksLikePod(original) || LooksLikePod(patch) ? string.Empty : "spec";
    }

    private static Dictionary<string, string> BuildPod()
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["metadata/ownerReferences"] = "uid",
            ["spec/volumes"] = "name",
            ["spec/imagePullSecrets"] = "name",
            ["spec/schedulingGates"] = "name",
            ["spec/resourceClaims"] = "name",
            ["spec/hostAliases"] = "ip",
        };

        foreach (var list in new[] { "containers", "initContainers", "ephemeralContainers" })
        {
            var container = $"spec/{list}";
            keys[container] = "name";
            keys[$"{container}/*/env"] = "name";
            keys[$"{container}/*/ports"] = "containerPort";
            keys[$"{container}/*/volumeMounts"] = "mountPath";
            keys[$"{container}/*/volumeDevices"] = "devicePath";
            keys[$"{container}/*/resizePolicy"] = "resourceName";
        }

        return keys;
    }
}
