namespace Injector.Core.Templates;

/// <summary>
/// Hashes of rendered texts seen lately, so that <see cref="TemplateSet"/> keeps an output only when its text comes a
/// second time. The pods of one workload render one text, so its second pod keeps it and the rest find it; pods that
/// each render new text (a new app label each) keep nothing. Keeping those cost far more than it saved: each kept
/// output lived until the cache started over, and the collector carried and compacted outputs never asked for again
/// (30,000 rendered small pods: 14.4 s paused in 53 gen2 collections kept, 0.6 s in one not kept).
/// </summary>
/// <remarks>
/// A fixed table indexed by the hash, without locks: a race or a collision only keeps an output one sight early or
/// late, never changes what a pod gets (kept outputs are found by their whole text).
/// </remarks>
internal sealed class RecentTexts
{
    private const int Slots = 256;

    private readonly long[] _seen = new long[Slots];

    /// <summary>Whether <paramref name="text"/> was seen lately; it counts as seen from now on.</summary>
    public bool SeenBefore(string text)
    {
        // The slot by the text's hash; what it holds is the hash with the length, never 0 (an empty slot).
        var hash = string.GetHashCode(text);
        var seen = ((long)hash << 32) | (uint)(text.Length & int.MaxValue) | (1L << 31);
        ref var slot = ref _seen[hash & (Slots - 1)];
        if (Volatile.Read(ref slot) == seen)
        {
            return true;
        }

        Volatile.Write(ref slot, seen);
        return false;
    }
}
