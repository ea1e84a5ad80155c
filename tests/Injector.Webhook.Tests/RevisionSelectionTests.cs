using k8s;
using k8s.Models;

namespace Injector.Webhook.Tests;

/// <summary>
/// The default revision (manifests/), a canary beside it (overlays/revision-canary) and a tag pointing at the canary
/// (overlays/revision-tag-prod), installed together: for each namespace and pod, the API server's selector matching
/// over every webhook entry must call exactly one revision's Service, the one Istio's labels name, or none.
/// </summary>
public sealed class RevisionSelectionTests
{
    private static readonly Lazy<IReadOnlyList<V1MutatingWebhookConfiguration>> Installed = new(() =>
    [
        .. new[] { "manifests", "manifests/overlays/revision-canary", "manifests/overlays/revision-tag-prod" }
            .SelectMany(ManifestTests.Load).OfType<V1MutatingWebhookConfiguration>(),
    ]);

    [Theory]
    [InlineData("istio-injection=enabled", "", "injector")]
    [InlineData("istio.io/rev=default", "", "injector")]
    [InlineData("istio.io/rev=canary", "", "injector-canary")]
    [InlineData("istio.io/rev=prod", "", "injector-canary")]
    [InlineData("", "istio.io/rev=canary", "injector-canary")]
    [InlineData("", "istio.io/rev=prod", "injector-canary")]
    [InlineData("", "istio.io/rev=default", "injector")]
    [InlineData("", "sidecar.istio.io/inject=true", "injector")]
    [InlineData("istio.io/rev=canary", "istio.io/rev=default", "injector-canary")] // the namespace's label wins, as in Istio
    [InlineData("istio-injection=enabled,istio.io/rev=canary", "", "injector")] // istio-injection wins over istio.io/rev
    [InlineData("istio.io/rev=canary", "sidecar.istio.io/inject=false", null)]
    [InlineData("", "istio.io/rev=canary,sidecar.istio.io/inject=false", null)]
    [InlineData("", "sidecar.istio.io/inject=true,istio.io/rev=canary", "injector-canary")]
    [InlineData("istio.io/rev=unknown", "", null)]
    [InlineData("istio-injection=disabled", "istio.io/rev=canary", null)]
    [InlineData("", "", null)]
    public void Each_pod_goes_to_the_revision_its_labels_name(string namespaceLabels, string podLabels, string? service)
    {
        var called = Called("team-a", namespaceLabels, podLabels);

        Assert.Equal(service is null ? [] : [service], called);
    }

    [Theory]
    [InlineData("kube-system")]
    [InlineData("injector-system")]
    public void No_revision_injects_the_system_namespaces(string ns)
    {
        Assert.Empty(Called(ns, "istio-injection=enabled", ""));
        Assert.Empty(Called(ns, "istio.io/rev=canary", ""));
        Assert.Empty(Called(ns, "", "istio.io/rev=prod"));
    }

    [Fact]
    public void The_canary_Deployment_serves_its_revision_and_only_its_pods()
    {
        var canary = ManifestTests.Load("manifests/overlays/revision-canary");
        var deployment = Assert.Single(canary.OfType<V1Deployment>());
        var args = deployment.Spec.Template.Spec.Containers[0].Args;
        Assert.Equal("canary", args[args.IndexOf("--revision") + 1]);
        Assert.Equal("canary", deployment.Spec.Selector.MatchLabels["injector.dev/revision"]);
        Assert.Equal("canary", Assert.Single(canary.OfType<V1Service>()).Spec.Selector["injector.dev/revision"]);
        Assert.Equal("injector-config-canary", deployment.Spec.Template.Spec.Volumes.Single(v => v.Name == "config").ConfigMap.Name);
        Assert.Equal("injector-tls-canary", deployment.Spec.Template.Spec.Volumes.Single(v => v.Name == "certs").Secret.SecretName);
        var certificate = Assert.Single(canary.OfType<CertManagerObject>());
        Assert.Equal("injector-tls-canary", certificate.Spec["secretName"].ToString());
        Assert.Contains("injector-canary.injector-system.svc", ((IEnumerable<object>)certificate.Spec["dnsNames"]).Select(o => o.ToString()));

        var defaults = ManifestTests.Load("manifests");
        Assert.Equal("default", Assert.Single(defaults.OfType<V1Service>()).Spec.Selector["injector.dev/revision"]);
        Assert.Equal("default", Assert.Single(defaults.OfType<V1Deployment>()).Spec.Template.Metadata.Labels["injector.dev/revision"]);
        var names = defaults.Concat(canary).Select(o => $"{((IKubernetesObject)o).Kind}/{((IMetadata<V1ObjectMeta>)o).Metadata.Name}").ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }

    /// <summary>The Services every matching webhook entry calls, as the API server matches selectors (namespace labels include kubernetes.io/metadata.name).</summary>
    private static List<string> Called(string ns, string namespaceLabels, string podLabels)
    {
        var nsLabels = Labels(namespaceLabels);
        nsLabels["kubernetes.io/metadata.name"] = ns;
        var pod = Labels(podLabels);
        return [.. Installed.Value.SelectMany(c => c.Webhooks)
            .Where(w => Matches(w.NamespaceSelector, nsLabels) && Matches(w.ObjectSelector, pod))
            .Select(w => w.ClientConfig.Service.Name)
            .Distinct()];
    }

    private static Dictionary<string, string> Labels(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);

    private static bool Matches(V1LabelSelector? selector, IReadOnlyDictionary<string, string> labels) =>
        selector is null
        || ((selector.MatchLabels ?? new Dictionary<string, string>()).All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value)
            && (selector.MatchExpressions ?? []).All(e => e.OperatorProperty switch
            {
                "In" => labels.TryGetValue(e.Key, out var v) && e.Values.Contains(v),
                "NotIn" => !labels.TryGetValue(e.Key, out var v) || !e.Values.Contains(v),
                "Exists" => labels.ContainsKey(e.Key),
                "DoesNotExist" => !labels.ContainsKey(e.Key),
                _ => throw new NotSupportedException(e.OperatorProperty),
            }));
}
