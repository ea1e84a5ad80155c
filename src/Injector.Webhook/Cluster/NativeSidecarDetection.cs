using System.Globalization;
using System.Text.RegularExpressions;

namespace Injector.Webhook.Cluster;

/// <summary>
/// Istio's ENABLE_NATIVE_SIDECARS=auto: native sidecars only when every node's kubelet is 1.33 or newer
/// (an unparsable version, or no nodes at all, means no). The nodes come from <see cref="ClusterWatches"/>.
/// </summary>
public static partial class NativeSidecarDetection
{
    public const int MinimumMinor = 33;

    public static bool AllSupport(IReadOnlyCollection<string?> kubeletVersions) =>
        kubeletVersions.Count > 0 && kubeletVersions.All(v => Minor(v) is { } minor && minor >= MinimumMinor);

    /// <summary>The minor version of a kubelet version such as <c>v1.33.2</c> or <c>v1.34.0-gke.100</c>; null when it does not parse.</summary>
    public static int? Minor(string? version)
    {
        var match = version is null ? null : Version().Match(version);
        return match is { Success: true } && match.Groups[1].Value == "1"
            ? int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)
            : null;
    }

    [GeneratedRegex(@"^v?(\d+)\.(\d+)")]
    private static partial Regex Version();
}
