using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Injector.Core;
using Injector.Core.Config;
using Injector.Webhook.Console;

namespace Injector.Webhook.Tests;

/// <summary>One server with a console for the truth-table rows.</summary>
public sealed class ConsoleServerFixture : IAsyncLifetime
{
    private sealed class Fixed(IPodInjector injector) : IPodInjectorSource
    {
        public IPodInjector Current => injector;
    }

    internal RunningServer Server { get; private set; } = null!;

    internal HttpClient Console { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var webhook = ManifestExplainer.WebhookConfiguration(File.ReadAllText(Path.Combine(Repository.Root, "manifests", "base", "mutatingwebhook.yaml")));
        Server = await RunningServer.StartAsync(
            new Fixed(new PodInjector(SettingsLoader.Defaults())),
            configure: o => o with { HealthPort = 0, ConsoleAddress = "127.0.0.1", ConsolePort = 0, WebhookConfiguration = webhook });
        Console = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{WebhookServer.GetConsolePort(Server.App)}/"), Timeout = TimeSpan.FromSeconds(15) };
    }

    public async ValueTask DisposeAsync()
    {
        Console.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>
/// <c>POST /api/v1/explain</c> over HTTP gives, for every row of the default install's truth table
/// (<see cref="DecisionTableTests.Rows"/>: the manifests' selectors, then the webhook's decision), the row's outcome.
/// </summary>
public sealed class ExplainHttpTruthTableTests(ConsoleServerFixture fixture) : IClassFixture<ConsoleServerFixture>
{
    public static TheoryData<string, string?, string?, string?, bool, string> Rows => DecisionTableTests.Rows;

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Explain_over_HTTP_gives_the_rows_outcome(string namespaceLabels, string? injectLabel, string? injectAnnotation, string? revLabel, bool hostNetwork, string expected)
    {
        var labels = new JsonObject { ["app"] = "hello" };
        if (injectLabel is not null)
        {
            labels["sidecar.istio.io/inject"] = injectLabel;
        }

        if (revLabel is not null)
        {
            labels["istio.io/rev"] = revLabel;
        }

        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = "hello",
                ["namespace"] = "team-a",
                ["labels"] = labels,
                ["annotations"] = injectAnnotation is null ? new JsonObject() : new JsonObject { ["sidecar.istio.io/inject"] = injectAnnotation },
            },
            ["spec"] = new JsonObject { ["hostNetwork"] = hostNetwork, ["containers"] = new JsonArray(new JsonObject { ["name"] = "hello", ["image"] = "hello:1" }) },
        };
        var nsLabels = namespaceLabels.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);

        using var response = await fixture.Console.PostAsJsonAsync("api/v1/explain", new { manifest = pod.ToJsonString(), namespaceLabels = nsLabels }, TestContext.Current.CancellationToken);

        var explanation = (await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["explanations"]![0]!;
        Assert.Equal(expected, explanation["outcome"]!.ToString());
    }
}
