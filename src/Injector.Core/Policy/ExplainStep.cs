namespace Injector.Core.Policy;

/// <summary>One check on the way to a decision, as <c>injector explain</c> shows it.</summary>
/// <param name="Check">The check's stable name (<c>webhook</c>, <c>host-network</c>, <c>inject-label</c>, <c>policy</c> …).</param>
/// <param name="Result"><c>pass</c> (the way goes on), <c>decide</c> (this check injects), <c>stop</c> (this check ends it) or <c>info</c>.</param>
/// <param name="Detail">What the check found, in a sentence.</param>
public sealed record ExplainStep(string Check, string Result, string Detail)
{
    public static ExplainStep Pass(string check, string detail) => new(check, "pass", detail);

    public static ExplainStep Decide(string check, string detail) => new(check, "decide", detail);

    public static ExplainStep Stop(string check, string detail) => new(check, "stop", detail);

    public static ExplainStep Info(string check, string detail) => new(check, "info", detail);
}
