using System.Text.Json.Nodes;
using Injector.Core.Kube;
using Injector.Documents;

namespace Injector.Core.Templates;

/// <summary>
/// What one template rendered: the fragment to strategic-merge into the pod, and what it gives alone (the fragment
/// merged into an empty pod, the injection's "template pod"). Both are read only: an output kept by
/// <see cref="TemplateSet"/> is shared by every injection that renders the same text, concurrently.
/// </summary>
public sealed class TemplateOutput
{
    private JsonObject? _alone;

    internal TemplateOutput(JsonObject fragment, bool kept = false)
    {
        Fragment = fragment;
        Kept = kept;
    }

    /// <summary>
    /// Whether <see cref="TemplateSet"/> keeps this output for other injections. One that is not is merged once, so
    /// keeping its parts in <see cref="Memo"/> would only add copies.
    /// </summary>
    internal bool Kept { get; }

    /// <summary>The parsed fragment (read only; copy it to change it).</summary>
    public JsonObject Fragment { get; }

    /// <summary>
    /// What the fragment's parts give merged where a pod has nothing (a new container, a new list), kept for the
    /// injections that merge this output last: each takes a copy instead of merging the part again. A list of
    /// containers or volumes is kept as Go writes it (<see cref="GoRoundTrip.KeptList"/>), which post-processing then
    /// passes by. Internal: only for merges into a pod (which has a spec, so the paths are the pod's), whose
    /// post-processing then rewrites the rest.
    /// </summary>
    internal MergeMemo Memo { get; } = new(GoRoundTrip.KeptList);

    /// <summary>
    /// The fragment merged into an empty pod (read only), computed when first asked for: only the first template's
    /// output needs it. Concurrent first readers may each compute it; one result is kept, and they are equal.
    /// </summary>
    public JsonObject Alone => _alone ?? LazyInitializer.EnsureInitialized(ref _alone, () => Merge(Fragment));

    private static JsonObject Merge(JsonObject fragment) => StrategicMerge.Apply([], fragment, MergeSchema.Pod);
}
