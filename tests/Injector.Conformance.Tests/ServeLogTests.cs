using System.Text.Json.Nodes;

namespace Injector.Conformance.Tests;

/// <summary>
/// The real <c>injector serve</c> process's stdout with <c>--log-format json</c> and <c>--log-level</c>: one JSON object
/// per line, one line per admission with its reason and whether it was a dry run, and no pod contents.
/// </summary>
public sealed class ServeLogTests
{
    private const string Secret = "s3cr3t-env-value";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Json_lines_carry_time_level_event_id_message_and_fields_one_per_admission()
    {
        await using var serve = await ServeProcess.StartAsync("--log-format", "json", "--log-level", "info");

        await serve.PostAsync(Review("u-injected", dryRun: false, annotations: null));
        await serve.PostAsync(Review("u-dry", dryRun: true, annotations: null));
        await serve.PostAsync(Review("u-denied", dryRun: false, annotations: new JsonObject { ["sidecar.istio.io/proxyCPU"] = "lots" }));
        var lines = await serve.StopAsync();

        var entries = lines.Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.All(entries, e =>
        {
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", e["Timestamp"]!.GetValue<string>());
            Assert.NotNull(e["LogLevel"]);
            Assert.NotNull(e["EventId"]);
            Assert.NotNull(e["Message"]);
        });
        var admissions = entries.Where(e => e["Category"]?.GetValue<string>() == "Injector.Webhook.InjectEndpoint").ToList();
        Assert.Equal(3, admissions.Count);

        var injected = admissions.Single(e => e["EventId"]!.GetValue<int>() == 1 && e["State"]!["Run"]!.GetValue<string>() == "Admission");
        Assert.Equal("Information", injected["LogLevel"]!.GetValue<string>());
        Assert.Equal("app/web-7d4-", $"{injected["State"]!["PodNamespace"]}/{injected["State"]!["PodName"]}");
        Assert.Equal("sidecar", injected["State"]!["Templates"]!.GetValue<string>());
        Assert.Equal("default", injected["State"]!["Revision"]!.GetValue<string>());
        Assert.Contains(admissions, e => e["State"]!["Run"]!.GetValue<string>() == "Dry-run admission" && e["EventId"]!.GetValue<int>() == 1);

        var denied = admissions.Single(e => e["EventId"]!.GetValue<int>() == 3);
        Assert.Equal("Warning", denied["LogLevel"]!.GetValue<string>());
        Assert.Equal("invalid-annotation", denied["State"]!["Reason"]!.GetValue<string>());
        Assert.Contains("sidecar.istio.io/proxyCPU", denied["State"]!["Message"]!.GetValue<string>(), StringComparison.Ordinal);

        // No pod contents: the app's env value and image are in every request and in no log line.
        Assert.DoesNotContain(lines, l => l.Contains(Secret, StringComparison.Ordinal) || l.Contains("registry.example/web", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Log_level_warn_keeps_only_denials_and_problems()
    {
        await using var serve = await ServeProcess.StartAsync("--log-format", "text", "--log-level", "warn");

        await serve.PostAsync(Review("u-injected", dryRun: false, annotations: null));
        await serve.PostAsync(Review("u-denied", dryRun: false, annotations: new JsonObject { ["sidecar.istio.io/proxyCPU"] = "lots" }));
        var lines = await serve.StopAsync();

        var line = Assert.Single(lines, l => l.Contains("app/web-7d4-", StringComparison.Ordinal));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z warn: Injector\.Webhook\.InjectEndpoint\[3\] Admission of pod app/web-7d4-: denied \(invalid-annotation; revision default\)", line);
    }

    private static string Review(string uid, bool dryRun, JsonObject? annotations)
    {
        var metadata = new JsonObject
        {
            ["generateName"] = "web-7d4-",
            ["namespace"] = "app",
            ["labels"] = new JsonObject { ["app"] = "web", ["pod-template-hash"] = "7d4" },
            ["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "ReplicaSet", ["name"] = "web-7d4", ["uid"] = "6b1c", ["controller"] = true }),
        };
        if (annotations is not null)
        {
            metadata["annotations"] = annotations;
        }

        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["containers"] = new JsonArray(new JsonObject
                {
                    ["name"] = "web",
                    ["image"] = "registry.example/web:1",
                    ["env"] = new JsonArray(new JsonObject { ["name"] = "TOKEN", ["value"] = Secret }),
                }),
            },
        };
        return AdmissionReviews.Of(pod, uid, "app", dryRun).ToJsonString();
    }
}
