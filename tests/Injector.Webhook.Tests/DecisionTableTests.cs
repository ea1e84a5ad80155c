using System.Text.Json.Nodes;
using Injector.Core;
using Injector.Core.Config;
using Injector.Core.Policy;
using k8s;
using k8s.Models;

namespace Injector.Webhook.Tests;

/// <summary>
/// Spec §2.3, the combined truth table: the API server's part (our MutatingWebhookConfiguration's namespace and
/// object selectors, from the rendered manifests) and the webhook's part (the decision), for a default install.
/// </summary>
public sealed class DecisionTableTests
{
    private static readonly Lazy<V1MutatingWebhookConfiguration> Configuration =
        new(() => ManifestTests.Load("manifests").OfType<V1MutatingWebhookConfiguration>().Single());

    private static readonly Lazy<PodInjector> Injector = new(() => new PodInjector(SettingsLoader.Defaults()));

    /// <summary>namespace labels; pod label sidecar.istio.io/inject; pod annotation of the same name; pod label istio.io/rev; hostNetwork → outcome.</summary>
    public static TheoryData<string, string?, string?, string?, bool, string> Rows { get; } = new()
    {
        { "istio-injection=enabled", null, null, null, false, "injected" },
        { "istio-injection=enabled", null, "true", null, false, "injected" },
        { "istio-injection=enabled", null, null, "canary", false, "injected" },
        { "istio-injection=enabled", null, "false", null, false, "skipped" },
        { "istio-injection=enabled", "false", null, null, false, "not-called" },
        { "istio-injection=enabled", "false", "true", null, false, "not-called" },
        { "istio-injection=disabled", null, null, null, false, "not-called" },
        { "istio-injection=disabled", "true", "true", "default", false, "not-called" },
        { "istio.io/rev=default", null, null, null, false, "injected" },
        { "istio.io/rev=default", "true", null, null, false, "injected" },
        { "istio.io/rev=default", null, "false", null, false, "skipped" },
        { "istio.io/rev=default", "false", null, null, false, "not-called" },
        { "", "true", null, null, false, "injected" },
        { "", "true", null, "default", false, "injected" },
        { "", null, "true", null, false, "not-called" },
        { "", null, null, "default", false, "injected" },
        { "", null, null, null, false, "not-called" },
        { "istio-injection=enabled", null, null, null, true, "skipped" },
        { "", "true", null, null, true, "skipped" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Default_install_truth_table(string namespaceLabels, string? injectLabel, string? injectAnnotation, string? revLabel, bool hostNetwork, string expected)
    {
        Assert.Equal(expected, Outcome("team-a", Labels(namespaceLabels), injectLabel, injectAnnotation, revLabel, hostNetwork));
    }

    [Theory]
    [InlineData("kube-system")]
    [InlineData("kube-public")]
    [InlineData("kube-node-lease")]
    [InlineData("injector-system")]
    public void The_webhook_never_sees_system_namespaces_or_its_own(string ns)
    {
        Assert.Equal("not-called", Outcome(ns, Labels("istio-injection=enabled"), "true", null, null, false));
    }

    private static Dictionary<string, string> Labels(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);

    private static string Outcome(string ns, Dictionary<string, string> namespaceLabels, string? injectLabel, string? injectAnnotation, string? revLabel, bool hostNetwork)
    {
        // The API server sets this label on every namespace; the exclusions select on it.
        namespaceLabels["kubernetes.io/metadata.name"] = ns;
        var podLabels = new Dictionary<string, string> { ["app"] = "hello" };
        if (injectLabel is not null)
        {
            podLabels[InjectionPolicy.InjectKey] = injectLabel;
        }

        if (revLabel is not null)
        {
            podLabels["istio.io/rev"] = revLabel;
        }

        var called = Configuration.Value.Webhooks.Any(w => Matches(w.NamespaceSelector, namespaceLabels) && Matches(w.ObjectSelector, podLabels));
        if (!called)
        {
            return "not-called";
        }

        var pod = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = "hello",
                ["namespace"] = ns,
                ["labels"] = new JsonObject(podLabels.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
                ["annotations"] = injectAnnotation is null ? new JsonObject() : new JsonObject { [InjectionPolicy.InjectKey] = injectAnnotation },
            },
            ["spec"] = new JsonObject
            {
                ["hostNetwork"] = hostNetwork,
                ["containers"] = new JsonArray(new JsonObject { ["name"] = "hello", ["image"] = "hello:1" }),
            },
        };
        var result = Injector.Value.Inject(new InjectionRequest(pod, ns, InjectionDoor.Webhook, []));
        return result is InjectionResult.Injected ? "injected" : "skipped";
    }

    /// <summary>Kubernetes' selector semantics: an absent or empty selector matches everything.</summary>
    private static bool Matches(V1LabelSelector? selector, Dictionary<string, string> labels)
    {
        if (selector is null || ((selector.MatchLabels?.Count ?? 0) == 0 && (selector.MatchExpressions?.Count ?? 0) == 0))
        {
            return true;
        }

        var json = (JsonObject)JsonNode.Parse(KubernetesJson.Serialize(selector))!;
        var labelJson = new JsonObject(labels.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        return LabelSelectors.Matches(json, labelJson, new List<string>());
    }
}
