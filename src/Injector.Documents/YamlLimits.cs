namespace Injector.Documents;

/// <summary>
/// Bounds on what one YAML text may cost to read. Untrusted text (pod annotations, ConfigMap keys, CLI input) is read
/// with limits so that no input can overflow the stack (nesting), blow up memory (aliases) or run for long (size).
/// </summary>
/// <param name="MaxDepth">Deepest nesting of maps and sequences; checked before descending, so the reader's recursion is bounded.</param>
/// <param name="MaxNodes">Most nodes one stream may produce, counting every copy an alias makes.</param>
/// <param name="MaxChars">Longest text accepted, in UTF-16 characters.</param>
public sealed record YamlLimits(int MaxDepth, long MaxNodes, int MaxChars)
{
    /// <summary>
    /// System.Text.Json writes and reads at most 64 levels by default, so a deeper tree could not be put into a pod
    /// or a patch anyway; a quarter of a million nodes is far beyond any real configuration (Istio's values hold ~1,500).
    /// </summary>
    public static readonly YamlLimits Default = new(MaxDepth: 64, MaxNodes: 250_000, MaxChars: 16 * 1024 * 1024);

    /// <summary>A pod annotation (Kubernetes caps all of a pod's annotations at 256 KiB together).</summary>
    public static readonly YamlLimits Annotation = new(MaxDepth: 64, MaxNodes: 20_000, MaxChars: 256 * 1024);

    /// <summary>Workload files given to the CLI: other kinds (CRDs with deep schemas) pass through, so nesting may go deeper.</summary>
    public static readonly YamlLimits Document = new(MaxDepth: 256, MaxNodes: 2_000_000, MaxChars: 64 * 1024 * 1024);
}
