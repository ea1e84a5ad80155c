using System.Text;

namespace Injector.Templating;

/// <summary>
/// One StringBuilder per thread for functions that build a string and return it (printf, toJSON, %v): they take the
/// builder, and <see cref="ToStringAndReturn"/> gives it back. A nested use while it is taken (a value's ToString that
/// renders again) simply gets a new builder.
/// </summary>
internal static class BuilderCache
{
    private const int MaxKeptCapacity = 16 * 1024;

    [ThreadStatic]
    private static StringBuilder? t_cached;

    public static StringBuilder Acquire()
    {
        var sb = t_cached;
        if (sb is null)
        {
            return new StringBuilder(256);
        }
        t_cached = null;
        return sb;
    }

    public static string ToStringAndReturn(StringBuilder sb)
    {
        var result = sb.ToString();
        Release(sb);
        return result;
    }

    public static void Release(StringBuilder sb)
    {
        if (sb.Capacity <= MaxKeptCapacity)
        {
            sb.Clear();
            t_cached = sb;
        }
    }
}
