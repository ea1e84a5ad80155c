using System.Text.Json.Nodes;
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

    internal TemplateOutput(JsonObject fragment, bool kept)
    {
        Fragment = fragment;
        if (kept)
        {
            // Computed once for a kept output, so concurrent readers never race to fill it.
            _alone = Merge(fragment);
        }
    }

    /// <summary>The parsed fragment (read only; copy it to change it).</summary>
    public JsonObject Fragment { get; }

    /// <summary>The fragment merged into an empty pod (read only).</summary>
    public JsonObject Alone => _alone ??= Merge(Fragment);

    private static JsonObject Merge(JsonObject fragment) => StrategicMerge.Apply([], fragment, MergeSchema.Pod);
}
