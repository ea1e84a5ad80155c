using System.Text.Json.Nodes;
using Injector.Core.Config;
using Injector.Core.Templates;
using Injector.Templating;

namespace Injector.Core.Tests;

/// <summary>
/// The process-wide counts of template outputs (exported on <c>/metrics</c>): each output is counted once, by how it
/// was found, and a memo that stops is counted and announced with its template's name, once.
/// </summary>
[Collection(ProcessWideCollection.Name)]
public sealed class RenderCountersTests
{
    [Fact]
    public void Each_templates_output_is_counted_by_how_it_was_found()
    {
        var injector = new PodInjector(TestConfig.Load());
        var (memo, sameText, parsed) = Counts();

        Inject(injector, Pods.Hello());
        var templates = RenderCounters.Count(RenderResult.Parsed) - parsed;
        Assert.True(templates >= 1, "the first pod rendered no template");
        Assert.Equal((memo, sameText), (RenderCounters.Count(RenderResult.Memo), RenderCounters.Count(RenderResult.SameText)));

        // The next pod of the workload renders its text again: the outputs are kept now.
        var rollout = Pods.Hello();
        rollout["metadata"]!["labels"]!["pod-template-hash"] = "abc123";
        Inject(injector, rollout);
        Assert.Equal((memo, sameText, parsed + (2 * templates)), Counts());

        // A new ReplicaSet's pod: the templates do not read its pod-template-hash, so every output comes from the memo.
        rollout["metadata"]!["labels"]!["pod-template-hash"] = "def456";
        Inject(injector, rollout);
        Assert.Equal((memo + templates, sameText, parsed + (2 * templates)), Counts());

        // An app label the sidecar reads renders new text.
        var renamed = Pods.Hello();
        renamed["metadata"]!["labels"]!["app"] = "renamed";
        Inject(injector, renamed);
        Assert.Equal(memo + templates, RenderCounters.Count(RenderResult.Memo));
        Assert.True(RenderCounters.Count(RenderResult.Parsed) > parsed + (2 * templates), "the renamed pod's sidecar was not parsed");
    }

    [Fact]
    public void A_render_to_a_kept_text_is_counted_as_the_same_text()
    {
        var set = Set("x: {{ .a }}", TemplateFunctions.CreateDefault());
        var (memo, sameText, parsed) = Counts();

        set.Render("t", Data("""{"a":1}"""));    // parsed, not kept: the text is new
        set.Render("t", Data("""{"a":1}"""));    // parsed again, and kept
        set.Render("t", Data("""{"a":"1"}"""));  // another answer to the read, the same text
        set.Render("t", Data("""{"a":1}"""));    // the memo

        Assert.Equal((memo + 1, sameText + 1, parsed + 2), Counts());
    }

    [Fact]
    public void A_memo_that_stops_is_counted_and_named_once()
    {
        var calls = 0;
        var functions = TemplateFunctions.CreateDefault().With("impure", _ => ++calls % 2 == 0);
        var set = Set("x: {{ if impure }}{{ .a }}{{ else }}{{ .b }}{{ end }}", functions);
        var stopped = new List<string>();
        void OnStopped(string template) => stopped.Add(template);
        var stops = RenderCounters.Stops;
        RenderCounters.MemoStopped += OnStopped;
        try
        {
            // The second render of the same text is kept, having read a; the third, of data with another a, reads b
            // after the same answers so far (and renders the same text, so it would be kept too).
            set.Render("t", Data("""{"a":1,"b":1}"""));
            set.Render("t", Data("""{"a":1,"b":1}"""));
            set.Render("t", Data("""{"a":2,"b":1}"""));
            set.Render("t", Data("""{"a":3,"b":1}"""));
            set.Render("t", Data("""{"a":1,"b":1}"""));
        }
        finally
        {
            RenderCounters.MemoStopped -= OnStopped;
        }

        Assert.Equal(["t"], stopped);
        Assert.Equal(stops + 1, RenderCounters.Stops);
        Assert.Equal(1, set.MemoOf("t").Conflicts);
    }

    private static (long Memo, long SameText, long Parsed) Counts() =>
        (RenderCounters.Count(RenderResult.Memo), RenderCounters.Count(RenderResult.SameText), RenderCounters.Count(RenderResult.Parsed));

    private static TemplateSet Set(string template, TemplateFunctions functions) => new(
        new InjectionConfig("enabled", ["t"], new Dictionary<string, string> { ["t"] = template }, new Dictionary<string, IReadOnlyList<string>>(), [], [], new Dictionary<string, string>()),
        functions);

    private static JsonNode Data(string json) => JsonNode.Parse(json)!;

    private static void Inject(PodInjector injector, JsonObject pod) =>
        Assert.IsType<InjectionResult.Injected>(injector.Inject(new InjectionRequest(pod, "default", InjectionDoor.Webhook, [])));
}
