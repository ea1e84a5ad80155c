using System.Text.Json.Nodes;

namespace Injector.Conformance.Tests;

/// <summary>
/// <c>injector explain</c> through the real CLI: the default install's truth table (the same rows as the webhook's
/// DecisionTableTests: the manifests' selectors, then the decision) gives the same outcome, with the reason codes the
/// webhook logs, and each step names what it found.
/// </summary>
public sealed class ExplainCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("injector-explain-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    // namespace labels; pod label sidecar.istio.io/inject; pod annotation of the same name; pod label istio.io/rev; hostNetwork → outcome (reason)
    [InlineData("istio-injection=enabled", null, null, null, false, "injected", "policy-enabled")]
    [InlineData("istio-injection=enabled", null, "true", null, false, "injected", "annotation-enabled")]
    [InlineData("istio-injection=enabled", null, null, "canary", false, "injected", "policy-enabled")]
    [InlineData("istio-injection=enabled", null, "false", null, false, "skipped", "annotation-disabled")]
    [InlineData("istio-injection=enabled", "false", null, null, false, "not-called", "webhook-selectors")]
    [InlineData("istio-injection=enabled", "false", "true", null, false, "not-called", "webhook-selectors")]
    [InlineData("istio-injection=disabled", null, null, null, false, "not-called", "webhook-selectors")]
    [InlineData("istio-injection=disabled", "true", "true", "default", false, "not-called", "webhook-selectors")]
    [InlineData("istio.io/rev=default", null, null, null, false, "injected", "policy-enabled")]
    [InlineData("istio.io/rev=default", "true", null, null, false, "injected", "label-enabled")]
    [InlineData("istio.io/rev=default", null, "false", null, false, "skipped", "annotation-disabled")]
    [InlineData("istio.io/rev=default", "false", null, null, false, "not-called", "webhook-selectors")]
    [InlineData("", "true", null, null, false, "injected", "label-enabled")]
    [InlineData("", "true", null, "default", false, "injected", "label-enabled")]
    [InlineData("", null, "true", null, false, "not-called", "webhook-selectors")]
    [InlineData("", null, null, "default", false, "injected", "policy-enabled")]
    [InlineData("", null, null, null, false, "not-called", "webhook-selectors")]
    [InlineData("istio-injection=enabled", null, null, null, true, "skipped", "host-network")]
    [InlineData("", "true", null, null, true, "skipped", "host-network")]
    public void Explain_gives_the_truth_tables_outcome_and_reason(string namespaceLabels, string? injectLabel, string? injectAnnotation, string? revLabel, bool hostNetwork, string outcome, string reason)
    {
        var labels = new List<string> { "app: hello" };
        if (injectLabel is not null)
        {
            labels.Add($"sidecar.istio.io/inject: \"{injectLabel}\"");
        }

        if (revLabel is not null)
        {
            labels.Add($"istio.io/rev: {revLabel}");
        }

        var annotations = injectAnnotation is null ? "{}" : $"{{sidecar.istio.io/inject: \"{injectAnnotation}\"}}";
        var args = new List<string> { "explain", "-f", Pod("team-a", "{" + string.Join(", ", labels) + "}", annotations, hostNetwork), "-o", "json" };
        foreach (var label in namespaceLabels.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            args.AddRange(["--namespace-label", label]);
        }

        var explanation = Explain(args);

        Assert.Equal(outcome, explanation["outcome"]!.ToString());
        Assert.Equal(reason, explanation["reason"]!.ToString());
        var steps = explanation["steps"]!.AsArray();
        Assert.Equal("webhook", steps[0]!["check"]!.ToString());
        Assert.Equal(outcome == "not-called" ? "stop" : "pass", steps[0]!["result"]!.ToString());
        if (outcome == "injected")
        {
            Assert.Equal(["sidecar"], explanation["templates"]!.AsArray().Select(t => t!.ToString()));
        }
    }

    [Theory]
    [InlineData("kube-system")]
    [InlineData("injector-system")]
    public void The_system_namespaces_are_never_sent(string ns)
    {
        var explanation = Explain(["explain", "-f", Pod(ns, "{sidecar.istio.io/inject: \"true\"}", "{}", false), "-o", "json", "--namespace-label", "istio-injection=enabled"]);

        Assert.Equal("not-called", explanation["outcome"]!.ToString());
        Assert.Contains($"namespace \"{ns}\"", explanation["steps"]![0]!["detail"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_denial_names_the_annotation_and_the_value()
    {
        var explanation = Explain(["explain", "-f", Pod("team-a", "{app: x}", "{traffic.sidecar.istio.io/includeInboundPorts: \"80,eighty\"}", false), "-o", "json", "--namespace-label", "istio-injection=enabled"]);

        Assert.Equal("denied", explanation["outcome"]!.ToString());
        Assert.Equal("invalid-annotation", explanation["reason"]!.ToString());
        Assert.Contains("'80,eighty' for annotation 'traffic.sidecar.istio.io/includeInboundPorts'", explanation["message"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_policy_and_selectors_of_the_configuration_are_explained()
    {
        var config = Path.Combine(_dir, "config");
        File.WriteAllText(config, "policy: disabled\nalwaysInjectSelector:\n- matchLabels: {tier: front}\n");

        var skipped = Explain(["explain", "-f", Pod("team-a", "{app: x}", "{}", false), "-o", "json", "--namespace-label", "istio-injection=enabled", "--inject-config", config]);
        var selected = Explain(["explain", "-f", Pod("team-a", "{tier: front}", "{}", false), "-o", "json", "--namespace-label", "istio-injection=enabled", "--inject-config", config]);

        Assert.Equal(("skipped", "policy-disabled"), (skipped["outcome"]!.ToString(), skipped["reason"]!.ToString()));
        Assert.Contains(skipped["steps"]!.AsArray(), s => s!["check"]!.ToString() == "policy" && s["result"]!.ToString() == "stop");
        Assert.Equal(("injected", "always-inject-selector"), (selected["outcome"]!.ToString(), selected["reason"]!.ToString()));
    }

    [Fact]
    public void Text_output_shows_each_step_and_the_outcome()
    {
        var (code, stdout, stderr) = CliProcessTests.RunIn(null, ["explain", "-f", Pod("team-a", "{app: x}", "{}", false), "--namespace-label", "istio.io/rev=canary", "--revision", "canary"]);

        Assert.True(code == 0, stderr);
        Assert.StartsWith("pod team-a/hello: injected (policy-enabled)", stdout, StringComparison.Ordinal);
        Assert.Contains("this injector serves revision \"canary\"", stdout, StringComparison.Ordinal);
        Assert.Contains("=>   policy", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("istio.io/rev=canary", "injected")]
    [InlineData("istio-injection=enabled", "not-called")]
    [InlineData("istio.io/rev=default", "not-called")]
    public void A_revision_is_explained_with_the_entries_installed_for_it(string namespaceLabel, string outcome)
    {
        var explanation = Explain(["explain", "-f", Pod("team-a", "{app: x}", "{}", false), "-o", "json", "--namespace-label", namespaceLabel, "--revision", "canary"]);

        Assert.Equal(outcome, explanation["outcome"]!.ToString());
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata: x\n", "metadata: want a map")]
    [InlineData("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: 1\n", "spec: want a map")]
    public void A_manifest_of_the_wrong_shape_is_a_usage_error_naming_the_field(string manifest, string message)
    {
        var path = Path.Combine(_dir, $"bad-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, manifest);

        var (code, _, stderr) = CliProcessTests.RunIn(null, ["explain", "-f", path]);

        Assert.Equal(2, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void No_filename_is_a_usage_error()
    {
        var (code, _, stderr) = CliProcessTests.RunIn(null, ["explain"]);

        Assert.Equal(2, code);
        Assert.Contains("filename not specified", stderr, StringComparison.Ordinal);
    }

    private string Pod(string ns, string labels, string annotations, bool hostNetwork)
    {
        var path = Path.Combine(_dir, $"pod-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: hello
              namespace: {{ns}}
              labels: {{labels}}
              annotations: {{annotations}}
            spec:
              hostNetwork: {{(hostNetwork ? "true" : "false")}}
              containers:
              - name: hello
                image: hello:1
            """);
        return path;
    }

    private static JsonObject Explain(IEnumerable<string> args)
    {
        var (code, stdout, stderr) = CliProcessTests.RunIn(null, args);
        Assert.True(code == 0, stderr);
        return Assert.Single(JsonNode.Parse(stdout)!.AsArray())!.AsObject();
    }
}
