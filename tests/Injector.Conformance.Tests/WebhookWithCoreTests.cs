using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Injector.Core;
using Injector.Core.Config;

namespace Injector.Conformance.Tests;

/// <summary>The real core behind the real TLS server: denials, warnings and their kubectl-visible length.</summary>
public sealed class WebhookWithCoreTests(WebhookServerFixture server) : IClassFixture<WebhookServerFixture>
{
    private static JsonObject Review(JsonObject annotations) => AdmissionReviews.Of(
        new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = "p", ["annotations"] = annotations },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "app:1" }) },
        },
        "u-1",
        "default");

    private async Task<JsonNode> PostAsync(JsonObject review)
    {
        server.Use(new PodInjector(SettingsLoader.Defaults()));
        using var content = new StringContent(review.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await server.Client.PostAsync("/inject", content, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["response"]!;
    }

    [Fact]
    public async Task Warnings_reach_the_admission_response_cut_to_256_characters()
    {
        var longImage = new string('x', 300);
        var response = await PostAsync(Review(new JsonObject { ["sidecar.istio.io/proxyImage"] = longImage, ["sidecar.istio.io/nativeSidecar"] = "yes" }));

        Assert.True(response["allowed"]!.GetValue<bool>());
        var warnings = response["warnings"]!.AsArray().Select(w => w!.ToString()).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.True(w.Length <= 256, $"{w.Length} characters"));
        Assert.Contains(warnings, w => w.StartsWith("annotation 'sidecar.istio.io/proxyImage' value 'xxx", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_invalid_annotation_is_denied_naming_it_and_the_value()
    {
        var response = await PostAsync(Review(new JsonObject { ["traffic.sidecar.istio.io/excludeInboundPorts"] = "*" }));

        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Null(response["patch"]);
        Assert.Contains("invalid value '*' for annotation 'traffic.sidecar.istio.io/excludeInboundPorts'", response["status"]!["message"]!.ToString(), StringComparison.Ordinal);

        // The denial's named reason labels the metric.
        var metrics = await server.Client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Contains("injector_admissions_total{dry_run=\"false\",outcome=\"denied\",reason=\"invalid-annotation\",revision=\"default\",template=\"\"} ", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pod_of_a_newer_kubernetes_keeps_its_unknown_fields()
    {
        var review = Review([]);
        var pod = review["request"]!["object"]!.AsObject();
        pod["spec"]!["futureField"] = new JsonObject { ["x"] = 1 };
        pod["spec"]!["containers"]![0]!["futureField"] = "kept";

        var response = await PostAsync(review);

        var ops = JsonNode.Parse(Convert.FromBase64String(response["patch"]!.ToString()))!.AsArray();
        var patched = PatchApplier.Apply(pod, ops);
        Assert.Equal("""{"x":1}""", patched["spec"]!["futureField"]!.ToJsonString());
        Assert.Equal("kept", patched["spec"]!["containers"]!.AsArray().Single(c => c!["name"]!.ToString() == "app")!["futureField"]!.ToString());
    }
}
