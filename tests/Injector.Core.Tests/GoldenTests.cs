using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Injector.Core.Config;
using Injector.Core.Workloads;
using Injector.Documents;

namespace Injector.Core.Tests;

/// <summary>
/// The project's own golden cases (tests/golden): inputs and expected outputs written here, so a clone without
/// ../shared still tests the whole pipeline through both doors, with every embedded template. Each case runs its input
/// through the CLI door (the exact text <c>injector inject</c> prints, or its error) and each Pod document through the
/// webhook door (outcome and JSON patch; the patch must give the injected pod and re-injecting it must be a no-op).
/// <c>make golden</c> (REFRESH_GOLDEN=1) rewrites the expected files for review.
/// </summary>
public sealed class GoldenTests
{
    private static readonly string Root = Path.Combine(PodSchemaTests.RepoRoot(), "tests", "golden");

    private static bool Refresh => Environment.GetEnvironmentVariable("REFRESH_GOLDEN") == "1";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static TheoryData<string> Cases() => [.. Load().Select(c => c["name"]!.ToString())];

    [Fact]
    public void Every_template_and_door_is_covered()
    {
        var cases = Load().ToList();
        var inputs = string.Join("\n", cases.Select(c => File.ReadAllText(Path.Combine(Root, "inputs", c["input"]!.ToString()))));
        foreach (var template in SettingsLoader.Defaults().Config.Templates.Keys.Where(t => t != "sidecar"))
        {
            Assert.Contains($"inject.istio.io/templates: {template}", inputs, StringComparison.Ordinal);
        }

        Assert.Contains(cases, c => File.Exists(Expected(c, ".error.txt")));
        Assert.True(cases.Count >= 10);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_gives_its_expected_output_through_both_doors(string name)
    {
        var c = Load().Single(x => x["name"]!.ToString() == name);
        var input = File.ReadAllText(Path.Combine(Root, "inputs", c["input"]!.ToString()));
        var injector = new PodInjector(SettingsLoader.Load(new ConfigTexts(
            Sets: [.. (c["set"] as JsonArray ?? []).Select(s => s!.ToString())],
            NativeSidecars: c["nativeSidecars"]?.GetValue<bool>() ?? true,
            Revision: c["revision"]?.ToString())));

        var cli = KubeInject.Run(input, injector);
        if (cli.Denial is { } denial)
        {
            Check(Expected(c, ".error.txt"), $"{denial.Code}: {denial.Message}\n");
            Assert.False(File.Exists(Expected(c, ".yaml")), "a case that fails has no output file");
        }
        else
        {
            Check(Expected(c, ".yaml"), cli.Output!);
            Assert.False(File.Exists(Expected(c, ".error.txt")), "a case that succeeds has no error file");
        }

        var warnings = Expected(c, ".warnings.txt");
        if (cli.Warnings.Count > 0 || File.Exists(warnings))
        {
            Check(warnings, string.Concat(cli.Warnings.Select(w => w + "\n")));
        }

        Check(Expected(c, ".webhook.json"), Webhook(injector, input).ToJsonString(Indented) + "\n");
    }

    /// <summary>Each pod of the input (a Pod, or a workload's template as its controller creates it): outcome, reason, warnings, patch.</summary>
    private static JsonArray Webhook(PodInjector injector, string input)
    {
        var answers = new JsonArray();
        foreach (var (pod, ns) in WorkloadPods.Of(GoYaml.ParseAll(input).OfType<JsonObject>(), "default"))
        {
            var result = injector.Inject(new InjectionRequest(pod, ns, InjectionDoor.Webhook, []));
            var answer = new JsonObject
            {
                ["pod"] = $"{ns}/{pod["metadata"]?["name"] ?? pod["metadata"]?["generateName"]}",
                ["outcome"] = result switch
                {
                    InjectionResult.Injected => "injected",
                    InjectionResult.Skipped => "skipped",
                    _ => "denied",
                },
                ["reason"] = result.Code,
            };
            if (result is InjectionResult.Denied denied)
            {
                answer["message"] = denied.Message;
            }

            if (result.Warnings.Count > 0)
            {
                answer["warnings"] = new JsonArray([.. result.Warnings.Select(w => (JsonNode)w)]);
            }

            if (result is InjectionResult.Injected injected)
            {
                var patched = Pods.ApplyPatch(pod, injected.Patch);
                Assert.True(JsonNode.DeepEquals(injected.Pod, patched), $"{answer["pod"]}: the patch does not give the injected pod");
                var again = injector.Inject(new InjectionRequest(patched, ns, InjectionDoor.Webhook, []));
                Assert.Empty(Assert.IsType<InjectionResult.Injected>(again).Patch);
                answer["patch"] = injected.Patch.DeepClone();
            }

            answers.Add(answer);
        }

        return answers;
    }

    private static string Expected(JsonNode c, string suffix) => Path.Combine(Root, "expected", c["name"]!.ToString() + suffix);

    private static void Check(string path, string actual)
    {
        if (Refresh)
        {
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"{Path.GetRelativePath(Root, path)} is missing: run make golden and review it");
        Assert.Equal(File.ReadAllText(path), actual);
    }

    private static IEnumerable<JsonObject> Load() =>
        (GoYaml.Parse(File.ReadAllText(Path.Combine(Root, "cases.yaml"))) as JsonArray ?? []).OfType<JsonObject>();
}
