namespace Injector.Core.Templates;

/// <summary>How a template's output was found for a pod, as counted by <see cref="RenderCounters"/>.</summary>
public enum RenderResult
{
    /// <summary>A kept render read the same answers from this pod: nothing was rendered.</summary>
    Memo,

    /// <summary>Rendered, and the text was among the kept outputs: nothing was parsed.</summary>
    SameText,

    /// <summary>Rendered and parsed: text no kept output had (or too large to keep).</summary>
    Parsed,
}

/// <summary>
/// Process-wide counts of template outputs by <see cref="RenderResult"/>, and the templates whose render memo stopped.
/// The webhook exports them on <c>/metrics</c> and logs a stop: the memo is what makes a rollout's pods cheap, so an
/// operator needs to see its hit rate, and a stop (a template function that is not deterministic) must not be silent.
/// </summary>
public static class RenderCounters
{
    private static long s_memo;
    private static long s_sameText;
    private static long s_parsed;
    private static long s_stops;

    /// <summary>
    /// Raised once per template whose memo stopped, with the template's name: a render asked another question than a
    /// kept render that had the same answers so far, so some function it calls is not deterministic. Its pods are
    /// still injected correctly, each rendered in full.
    /// </summary>
    public static event Action<string>? MemoStopped;

    /// <summary>Outputs found so far with <paramref name="result"/>.</summary>
    public static long Count(RenderResult result) => result switch
    {
        RenderResult.Memo => Interlocked.Read(ref s_memo),
        RenderResult.SameText => Interlocked.Read(ref s_sameText),
        _ => Interlocked.Read(ref s_parsed),
    };

    /// <summary>Memos stopped so far (one per template per configuration in force when it stopped).</summary>
    public static long Stops => Interlocked.Read(ref s_stops);

    internal static void Add(RenderResult result)
    {
        switch (result)
        {
            case RenderResult.Memo:
                Interlocked.Increment(ref s_memo);
                break;
            case RenderResult.SameText:
                Interlocked.Increment(ref s_sameText);
                break;
            default:
                Interlocked.Increment(ref s_parsed);
                break;
        }
    }

    internal static void Stopped(string template)
    {
        Interlocked.Increment(ref s_stops);
        MemoStopped?.Invoke(template);
    }
}
