using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Injector.Conformance.Tests;

/// <summary>Runs a corpus case through the webhook: each pod as an AdmissionReview over TLS, the patch applied, the pod compared.</summary>
public static class WebhookDoor
{
    /// <summary>Whether the case runs through the webhook: the API server admits pods, not workloads, and has no golden error text.</summary>
    public static bool Applies(CorpusCase c) => !c.KubeInjectOnly && c.ExpectError is null && c.Golden is not null;

    public static async Task<DoorOutcome> RunAsync(CorpusCase c, WebhookServerFixture server, CaseConfig config = CaseConfig.Embedded)
    {
        if (!Applies(c))
        {
            return DoorOutcome.NotApplicable;
        }

        server.Use(CaseRunner.InjectorFor(c, config), CaseRunner.NamespaceAnnotations(c));
        return await RunAsync(c, server.Client);
    }

    /// <summary>The case through a webhook already configured with its settings (in process, or the real <c>injector serve</c>).</summary>
    public static async Task<DoorOutcome> RunAsync(CorpusCase c, HttpClient client)
    {
        if (!Applies(c))
        {
            return DoorOutcome.NotApplicable;
        }

        var inputs = WebhookPods.FromYaml(File.ReadAllText(Corpus.PathOf(c.Input)));
        var goldens = WebhookPods.FromYaml(File.ReadAllText(Corpus.PathOf(c.Golden!)));
        if (inputs.Count != goldens.Count)
        {
            return new DoorOutcome(true, false, false, $"pods: input {inputs.Count}, golden {goldens.Count}");
        }

        var deliberate = DeliberateDeviations.Applies(c);
        var results = new List<JsonObject>();
        for (var i = 0; i < inputs.Count; i++)
        {
            var pod = inputs[i];
            var review = AdmissionReviews.Of(pod, $"case-{i}", pod["metadata"]?["namespace"]?.ToString() ?? "default");
            using var content = new StringContent(review.ToJsonString(), Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await client.PostAsync("/inject", content);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
            var answer = body?["response"];
            if (answer?["allowed"]?.GetValue<bool>() != true)
            {
                return new DoorOutcome(true, false, false, $"pod {i} denied: {answer?["status"]?["message"]}");
            }

            var patched = pod;
            if (answer["patch"]?.ToString() is { Length: > 0 } patch)
            {
                var ops = (JsonArray)JsonNode.Parse(Convert.FromBase64String(patch))!;
                patched = (JsonObject)PatchApplier.Apply(pod, ops);
            }

            // The API server re-invokes the webhook (reinvocationPolicy: IfNeeded): the injected pod must come back unchanged.
            if (await ReinjectionPatchAsync(client, review, patched) is { } again)
            {
                return new DoorOutcome(true, false, false, $"pod {i}: re-injection is not a no-op: {again}");
            }

            if (deliberate)
            {
                results.Add(patched);
                continue;
            }

            var expected = PodComparison.Normalize(goldens[i]);
            var actual = PodComparison.Normalize(patched);
            if (!JsonNode.DeepEquals(expected, actual))
            {
                return new DoorOutcome(true, false, false, $"pod {i}: {FirstDifference.Find(expected, actual, "pod")}");
            }
        }

        if (deliberate)
        {
            return DeliberateDeviations.Check(c, results) is { } problem
                ? new DoorOutcome(true, false, false, $"deliberate deviation not met: {problem}")
                : new DoorOutcome(true, true, false, $"deliberate deviation: {DeliberateDeviations.Why(c)}", Deliberate: true);
        }

        return new DoorOutcome(true, true, true, "ok");
    }

    /// <summary>Null when sending the injected pod again is allowed with no operations; otherwise what came back.</summary>
    private static async Task<string?> ReinjectionPatchAsync(HttpClient client, JsonObject review, JsonObject injected)
    {
        var again = (JsonObject)review.DeepClone();
        again["request"]!["object"] = injected.DeepClone();
        using var content = new StringContent(again.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync("/inject", content);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())?["response"];
        if (answer?["allowed"]?.GetValue<bool>() != true)
        {
            return $"denied: {answer?["status"]?["message"]}";
        }

        if (answer["patch"]?.ToString() is not { Length: > 0 } patch)
        {
            return null;
        }

        var ops = Encoding.UTF8.GetString(Convert.FromBase64String(patch));
        return ops == "[]" ? null : ops.Length > 500 ? ops[..500] + "…" : ops;
    }
}
