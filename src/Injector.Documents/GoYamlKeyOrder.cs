using System.Text;

namespace Injector.Documents;

/// <summary>
/// go-yaml v2's <c>keyList.Less</c> for string keys: a "natural" order where digit runs compare numerically and
/// letters sort after other characters. Kubernetes output depends on it (e.g. <c>port2</c> before <c>port10</c>).
/// </summary>
internal sealed class GoYamlKeyOrder : IComparer<string>
{
    public static GoYamlKeyOrder Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (Less(x ?? string.Empty, y ?? string.Empty))
        {
            return -1;
        }

        return Less(y ?? string.Empty, x ?? string.Empty) ? 1 : 0;
    }

    public static bool Less(string a, string b)
    {
        var ar = ToRunes(a);
        var br = ToRunes(b);
        for (var i = 0; i < ar.Length && i < br.Length; i++)
        {
            if (ar[i] == br[i])
            {
                continue;
            }

            var al = Rune.IsLetter(ar[i]);
            var bl = Rune.IsLetter(br[i]);
            if (al && bl)
            {
                return ar[i] < br[i];
            }

            if (al || bl)
            {
                return bl;
            }

            long an = 0, bn = 0;
            if (ar[i] == new Rune('0') || br[i] == new Rune('0'))
            {
                // Quirk kept from go-yaml: a zero after a non-zero digit run counts as a larger number.
                for (var j = i - 1; j >= 0 && Rune.IsDigit(ar[j]); j--)
                {
                    if (ar[j] != new Rune('0'))
                    {
                        an = 1;
                        bn = 1;
                        break;
                    }
                }
            }

            int ai, bi;
            for (ai = i; ai < ar.Length && Rune.IsDigit(ar[ai]); ai++)
            {
                an = unchecked((an * 10) + (ar[ai].Value - '0'));
            }

            for (bi = i; bi < br.Length && Rune.IsDigit(br[bi]); bi++)
            {
                bn = unchecked((bn * 10) + (br[bi].Value - '0'));
            }

            if (an != bn)
            {
                return an < bn;
            }

            if (ai != bi)
            {
                return ai < bi;
            }

            return ar[i] < br[i];
        }

        return ar.Length < br.Length;
    }

    private static Rune[] ToRunes(string s)
    {
        var runes = new List<Rune>(s.Length);
        foreach (var r in s.EnumerateRunes())
        {
            runes.Add(r);
        }

        return [.. runes];
    }
}
