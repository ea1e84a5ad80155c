using System.Net;
using System.Text.Json.Nodes;
using Injector.Core;
using Injector.Core.Config;
using Injector.Core.Templates;
using Injector.Templating;

namespace Injector.Webhook.Tests;

/// <summary>
/// How the templates' outputs were found, on <c>/metrics</c> of the real server, and a memo that stops, logged: a
/// rollout's second pod is answered from the render memo, and an operator can see it.
/// </summary>
[Collection(ProcessWideCollection.Name)]
public sealed class RenderMetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Fixed(IPodInjector injector) : IPodInjectorSource
    {
        public IPodInjector Current => injector;
    }

    [Fact]
    public async Task A_rollouts_second_pod_is_counted_as_found_in_the_memo()
    {
        await using var server = await RunningServer.StartAsync(new Fixed(InjectorFactory.Build(new ConfigSources())));
        using var client = server.Client();
        var before = await client.GetStringAsync("/metrics", Ct);

        // Pods that differ only where the templates do not look (the admission memo answers identical ones): the first
        // two render (the text is kept the second time it comes), the third is found in the render memo.
        await Post(client, Pod("first", hash: "aaaa1"));
        await Post(client, Pod("second", hash: "aaaa2"));
        var first = await client.GetStringAsync("/metrics", Ct);
        await Post(client, Pod("third", hash: "bbbb3"));
        var second = await client.GetStringAsync("/metrics", Ct);

        var templates = (Outputs(first, "parsed") - Outputs(before, "parsed")) / 2;
        Assert.True(templates >= 1, "the first pod rendered no template");
        Assert.Equal(Outputs(before, "memo"), Outputs(first, "memo"));
        Assert.Equal(Outputs(first, "memo") + templates, Outputs(second, "memo"));
        Assert.Equal(Outputs(first, "parsed"), Outputs(second, "parsed"));
        Assert.Equal(Outputs(first, "same_text"), Outputs(second, "same_text"));
        Assert.Equal(MetricsTests.Value(before, "injector_render_memo_stops_total"), MetricsTests.Value(second, "injector_render_memo_stops_total"));
    }

    [Fact]
    public async Task A_memo_that_stops_is_logged_with_its_templates_name_and_counted()
    {
        using var logs = new CapturingLoggerProvider();
        await using var server = await RunningServer.StartAsync(_ => new Fixed(InjectorFactory.Build(new ConfigSources())), logging: logs);
        using var client = server.Client();
        var before = MetricsTests.Value(await client.GetStringAsync("/metrics", Ct), "injector_render_memo_stops_total");

        // A template whose function is not deterministic asks other questions of data with the same answers so far.
        var calls = 0;
        var functions = TemplateFunctions.CreateDefault().With("impure", _ => ++calls % 2 == 0);
        var set = new TemplateSet(
            new InjectionConfig("enabled", ["odd\ntemplate"], new Dictionary<string, string> { ["odd\ntemplate"] = "x: {{ if impure }}{{ .a }}{{ else }}{{ .b }}{{ end }}" }, new Dictionary<string, IReadOnlyList<string>>(), [], [], new Dictionary<string, string>()),
            functions);
        set.Render("odd\ntemplate", JsonNode.Parse("""{"a":1,"b":1}""")!);
        set.Render("odd\ntemplate", JsonNode.Parse("""{"a":1,"b":1}""")!);
        set.Render("odd\ntemplate", JsonNode.Parse("""{"a":2,"b":1}""")!);

        var stop = Assert.Single(logs.Entries, e => e.EventId.Id == 23);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, stop.Level);
        Assert.StartsWith("Template odd\\ntemplate stopped keeping renders", stop.Message, StringComparison.Ordinal);
        Assert.Equal(before + 1, MetricsTests.Value(await client.GetStringAsync("/metrics", Ct), "injector_render_memo_stops_total"));
    }

    private static double Outputs(string metrics, string result) => MetricsTests.Value(metrics, $"injector_template_outputs_total{{result=\"{result}\"}}");

    private static string Pod(string uid, string hash)
    {
        var review = JsonNode.Parse(Reviews.Pod(uid: uid))!;
        review["request"]!["object"]!["metadata"]!["labels"]!["pod-template-hash"] = hash;
        return review.ToJsonString();
    }

    private static async Task Post(HttpClient client, string review)
    {
        using var response = await client.PostAsync("/inject", Reviews.Json(review), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["response"]!;
        Assert.NotNull(answer["patch"]);
    }
}
