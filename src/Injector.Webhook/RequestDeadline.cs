namespace Injector.Webhook;

/// <summary>
/// How long one admission request may take. The API server calls <c>/inject?timeout=10s</c> (the webhook's
/// <c>timeoutSeconds</c> as a Go duration) and gives up after it; the injector stops a little earlier so its answer,
/// even a denial, arrives while the caller still listens, and no work goes on after the caller has gone.
/// </summary>
public static class RequestDeadline
{
    /// <summary>Kubernetes' default webhook timeout, used when the request names none.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(10);

    /// <summary>Kubernetes allows at most 30 s.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    /// <summary>Kubernetes allows at least 1 s; a shorter timeout is treated as 1 s rather than failing every request.</summary>
    public static readonly TimeSpan Min = TimeSpan.FromSeconds(1);

    /// <summary>The time the work may take: the caller's timeout (within <see cref="Min"/> and <see cref="Max"/>) less a tenth, at most 1 s, for the answer's way back.</summary>
    public static TimeSpan For(string? timeoutParameter)
    {
        var timeout = Parse(timeoutParameter) is { } t && t > TimeSpan.Zero ? TimeSpan.FromTicks(Math.Clamp(t.Ticks, Min.Ticks, Max.Ticks)) : Default;
        var margin = TimeSpan.FromTicks(Math.Min(timeout.Ticks / 10, TimeSpan.TicksPerSecond));
        return timeout - margin;
    }

    /// <summary>A Go duration (<c>10s</c>, <c>1m30s</c>, <c>500ms</c>, <c>1.5s</c>); null when it does not parse.</summary>
    public static TimeSpan? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 32)
        {
            return null;
        }

        try
        {
            var nanoseconds = Templating.GoDuration.Parse(text);
            return nanoseconds > Max.Ticks * 100 * 10 ? Max * 10 : TimeSpan.FromTicks(nanoseconds / 100);
        }
        catch (Exception e) when (e is InvalidOperationException or OverflowException)
        {
            return null;
        }
    }
}
