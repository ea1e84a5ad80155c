using System.Globalization;

namespace Injector.Core.Platform;

/// <summary>
/// OpenShift's per-namespace user and group ranges: the proxy runs as the top of the namespace's UID range
/// (<c>openshift.io/sa.scc.uid-range</c>) and group (<c>openshift.io/sa.scc.supplemental-groups</c>, first range).
/// Ranges are written <c>START/SIZE</c> or <c>START-END</c>.
/// </summary>
public static class OpenShiftIds
{
    public const string UidRange = "openshift.io/sa.scc.uid-range";
    public const string SupplementalGroups = "openshift.io/sa.scc.supplemental-groups";
    public const long DefaultId = 1337;

    public static (long Uid, long Gid) Resolve(IReadOnlyDictionary<string, string>? annotations)
    {
        var uid = annotations is not null && annotations.TryGetValue(UidRange, out var u) ? Top(u) : null;
        var gid = annotations is not null && annotations.TryGetValue(SupplementalGroups, out var g) ? Top(g.Split(',')[0]) : null;
        return (uid ?? DefaultId, gid ?? uid ?? DefaultId);
    }

    /// <summary>The highest id of a range, or null when it does not parse.</summary>
    public static long? Top(string range)
    {
        range = range.Trim();
        var slash = range.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0
            && long.TryParse(range[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            && long.TryParse(range[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            && size > 0)
        {
            return start + size - 1;
        }

        var dash = range.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0 && long.TryParse(range[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var end))
        {
            return end;
        }

        return null;
    }
}
