using System.Text.Json.Nodes;
using Injector.Core.Config;
using Injector.Core.Policy;

namespace Injector.Core.Tests;

/// <summary>The decision of spec §2.2 as a truth table: label beats annotation, selectors only for the default, then policy.</summary>
public sealed class InjectionPolicyTests
{
    private static InjectionConfig Config(string policy = "enabled", string? never = null, string? always = null) => new(
        policy,
        ["sidecar"],
        new Dictionary<string, string>(),
        new Dictionary<string, IReadOnlyList<string>>(),
        never is null ? [] : [(JsonObject)JsonNode.Parse(never)!],
        always is null ? [] : [(JsonObject)JsonNode.Parse(always)!],
        new Dictionary<string, string>());

    [Theory]
    // label, annotation, hostNetwork, namespace, policy, never, always → inject, reason
    [InlineData(null, null, false, "default", "enabled", null, null, true, "policy-enabled")]
    [InlineData(null, null, false, "default", "disabled", null, null, false, "policy-disabled")]
    [InlineData(null, null, false, "default", "bogus", null, null, false, "policy-invalid")]
    [InlineData("true", null, false, "default", "disabled", null, null, true, "label-enabled")]
    [InlineData("false", null, false, "default", "enabled", null, null, false, "label-disabled")]
    [InlineData(null, "true", false, "default", "disabled", null, null, true, "annotation-enabled")]
    [InlineData(null, "false", false, "default", "enabled", null, null, false, "annotation-disabled")]
    [InlineData("true", "false", false, "default", "enabled", null, null, true, "label-enabled")]
    [InlineData("false", "true", false, "default", "enabled", null, null, false, "label-disabled")]
    [InlineData("", "false", false, "default", "enabled", null, null, true, "policy-enabled")]
    [InlineData("yes", null, false, "default", "enabled", null, null, true, "policy-enabled")]
    [InlineData(null, "yes", false, "default", "disabled", null, null, false, "policy-disabled")]
    [InlineData("true", null, true, "default", "enabled", null, null, false, "host-network")]
    [InlineData("true", null, false, "kube-system", "enabled", null, null, false, "system-namespace")]
    [InlineData(null, null, false, "kube-public", "enabled", null, null, false, "system-namespace")]
    [InlineData(null, null, false, "local-path-storage", "enabled", null, null, false, "system-namespace")]
    [InlineData(null, null, false, "istio-system", "enabled", null, null, true, "policy-enabled")]
    [InlineData(null, null, false, "default", "enabled", """{"matchLabels":{"app":"hello"}}""", null, false, "never-inject-selector")]
    [InlineData(null, null, false, "default", "disabled", null, """{"matchLabels":{"app":"hello"}}""", true, "always-inject-selector")]
    [InlineData(null, null, false, "default", "disabled", """{"matchLabels":{"app":"hello"}}""", """{"matchLabels":{"app":"hello"}}""", false, "never-inject-selector")]
    [InlineData("true", null, false, "default", "enabled", """{"matchLabels":{"app":"hello"}}""", null, true, "label-enabled")]
    [InlineData(null, null, false, "default", "enabled", """{"matchExpressions":[{"key":"app","operator":"In","values":["hello"]}]}""", null, false, "never-inject-selector")]
    [InlineData(null, null, false, "default", "enabled", """{"matchExpressions":[{"key":"app","operator":"NotIn","values":["hello"]}]}""", null, true, "policy-enabled")]
    [InlineData(null, null, false, "default", "disabled", null, """{"matchExpressions":[{"key":"tier","operator":"DoesNotExist"}]}""", true, "always-inject-selector")]
    [InlineData(null, null, false, "default", "disabled", null, "{}", false, "policy-disabled")]
    public void Webhook_decision_follows_istio(string? label, string? annotation, bool hostNetwork, string ns, string policy, string? never, string? always, bool inject, string reason)
    {
        var labels = new JsonObject { ["app"] = "hello" };
        if (label is not null)
        {
            labels[InjectionPolicy.InjectKey] = label;
        }

        var annotations = new JsonObject();
        if (annotation is not null)
        {
            annotations[InjectionPolicy.InjectKey] = annotation;
        }

        var pod = new JsonObject
        {
            ["metadata"] = new JsonObject { ["labels"] = labels, ["annotations"] = annotations },
            ["spec"] = new JsonObject { ["hostNetwork"] = hostNetwork },
        };

        var decision = InjectionPolicy.Decide(pod, ns, Config(policy, never, always), InjectionDoor.Webhook, new List<string>());

        Assert.Equal(inject, decision.Inject);
        Assert.Equal(reason, decision.Reason.Code);
    }

    [Fact]
    public void An_unrecognised_inject_value_warns_and_names_the_value()
    {
        var warnings = new List<string>();
        var pod = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { [InjectionPolicy.InjectKey] = "yes" } } };

        InjectionPolicy.Decide(pod, "default", Config(), InjectionDoor.Webhook, warnings);

        var warning = Assert.Single(warnings);
        Assert.Contains("'yes'", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cli_ignores_policy_and_selectors_but_honours_false()
    {
        var pod = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "hello" } } };
        var config = Config("disabled", never: """{"matchLabels":{"app":"hello"}}""");

        Assert.True(InjectionPolicy.Decide(pod, "kube-system", config, InjectionDoor.Cli, new List<string>()).Inject);
        pod["metadata"]!["annotations"] = new JsonObject { [InjectionPolicy.InjectKey] = "false" };
        Assert.False(InjectionPolicy.Decide(pod, "default", config, InjectionDoor.Cli, new List<string>()).Inject);
    }
}

/// <summary>Istio's ignored namespaces through the kube-inject door: the namespace the pod itself names decides.</summary>
public sealed class CliSystemNamespaceTests
{
    private static string PodIn(string ns) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: tool
          namespace: {ns}
        spec:
          containers:
          - name: tool
            image: tool:1
        """;

    [Theory]
    [InlineData("kube-system")]
    [InlineData("kube-public")]
    [InlineData("kube-node-lease")]
    [InlineData("local-path-storage")]
    public void A_pod_in_a_system_namespace_is_left_unchanged_with_kube_injects_warning(string ns)
    {
        var result = Injector.Core.Workloads.KubeInject.Run(PodIn(ns), Pods.Injector);

        Assert.Null(result.Denial);
        Assert.DoesNotContain("istio-proxy", result.Output, StringComparison.Ordinal);
        Assert.Contains($"===> Skipping injection because Pod \"{ns}/tool\" has sidecar injection disabled", result.Warnings);
    }

    [Fact]
    public void A_pod_in_another_namespace_is_injected()
    {
        var result = Injector.Core.Workloads.KubeInject.Run(PodIn("kube-systems"), Pods.Injector);

        Assert.Contains("istio-proxy", result.Output, StringComparison.Ordinal);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void A_deployment_in_a_system_namespace_is_injected_as_kube_inject_does_its_template_names_none()
    {
        const string deployment = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: tool
              namespace: kube-system
            spec:
              selector:
                matchLabels: {app: tool}
              template:
                metadata:
                  labels: {app: tool}
                spec:
                  containers:
                  - name: tool
                    image: tool:1
            """;

        var result = Injector.Core.Workloads.KubeInject.Run(deployment, Pods.Injector);

        Assert.Contains("istio-proxy", result.Output, StringComparison.Ordinal);
    }
}
