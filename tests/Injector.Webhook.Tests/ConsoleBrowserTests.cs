using System.Diagnostics;
using System.Text.Json.Nodes;
using Injector.Webhook.Console;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook.Tests;

/// <summary>
/// The console's pages in a real browser: Debian's headless Chromium driven by playwright-core
/// (tests/browser/console.mjs) against the real server. Flows: preview a manifest and see the injected result and its
/// reason; change settings and see the annotations in the manifest; an invalid value refused with its message; the
/// configuration page shows the hash in force; a webhook decision appears in Recent decisions. Screenshots of each
/// page go to artifacts/console/. Skipped (with the reason) only when Chromium or the npm package is absent and CI is
/// not set; under CI=true their absence fails.
/// </summary>
public sealed class ConsoleBrowserTests
{
    private static readonly string Browser = Path.Combine(Repository.Root, "tests", "browser");

    [Fact]
    public async Task The_console_pages_work_in_headless_Chromium()
    {
        var missing = !File.Exists("/usr/bin/chromium") ? "Chromium is not installed (apt-get install chromium)"
            : !Directory.Exists(Path.Combine(Browser, "node_modules", "playwright-core")) ? "playwright-core is not installed (cd tests/browser && npm ci)"
            : null;
        if (missing is not null)
        {
            Assert.True(Environment.GetEnvironmentVariable("CI") != "true", missing + " (CI=true requires it)");
            Assert.Skip(missing);
        }

        var webhook = ManifestExplainer.WebhookConfiguration(File.ReadAllText(Path.Combine(Repository.Root, "manifests", "base", "mutatingwebhook.yaml")));
        await using var server = await RunningServer.StartAsync(
            services => new ReloadingInjectorSource(new ConfigSources(), TimeSpan.FromMinutes(5), services.GetRequiredService<ILogger<ReloadingInjectorSource>>()),
            configure: o => o with { HealthPort = 0, ConsoleAddress = "127.0.0.1", ConsolePort = 0, WebhookConfiguration = webhook });
        var source = (ReloadingInjectorSource)server.App.Services.GetRequiredService<Core.IPodInjectorSource>();

        // One admission the Recent decisions page must list.
        using (var client = server.Client())
        {
            var review = new JsonObject
            {
                ["apiVersion"] = "admission.k8s.io/v1",
                ["kind"] = "AdmissionReview",
                ["request"] = new JsonObject
                {
                    ["uid"] = "browser-1",
                    ["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
                    ["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
                    ["namespace"] = "shop",
                    ["operation"] = "CREATE",
                    ["object"] = JsonNode.Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"browser-pod","namespace":"shop"},"spec":{"containers":[{"name":"app","image":"app:1"}]}}"""),
                },
            };
            using var content = new StringContent(review.ToJsonString());
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var answer = await client.PostAsync("/inject", content, TestContext.Current.CancellationToken);
            answer.EnsureSuccessStatusCode();
        }

        var shots = Path.Combine(Repository.Root, "artifacts", "console");
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Browser };
        foreach (var arg in new[] { Path.Combine(Browser, "console.mjs"), $"http://127.0.0.1:{WebhookServer.GetConsolePort(server.App)}/", shots, source.Status.Hash, "browser-pod" })
        {
            start.ArgumentList.Add(arg);
        }

        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = node.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        Assert.True(node.WaitForExit(TimeSpan.FromSeconds(120)), "the browser run did not finish in 120 s");
        var report = JsonNode.Parse((await stdout).Trim().Split('\n')[^1]) as JsonObject;
        Assert.True(report is not null, $"no report from the browser run: {await stderr}");
        Assert.True(report["failed"]!.AsArray().Count == 0, report.ToJsonString());
        Assert.Equal(["preview", "preview-not-called", "configure", "configure-invalid", "configure-fixed", "configuration", "decisions"], report["passed"]!.AsArray().Select(p => p!.ToString()));
        foreach (var page in new[] { "preview", "configure", "configure-invalid", "configuration", "decisions" })
        {
            Assert.True(File.Exists(Path.Combine(shots, page + ".png")), $"no screenshot of {page}");
        }
    }
}
