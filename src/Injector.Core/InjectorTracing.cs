using System.Diagnostics;

namespace Injector.Core;

/// <summary>
/// The spans of one admission: the webhook opens <c>admission</c> and <c>decode</c>; the core adds <c>decide</c>,
/// <c>render</c>, <c>merge</c>, <c>post-process</c> and <c>diff</c>. Without a listener (no exporter configured)
/// <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null and costs a branch.
/// </summary>
public static class InjectorTracing
{
    public const string SourceName = "Injector";

    public static readonly ActivitySource Source = new(SourceName);
}
