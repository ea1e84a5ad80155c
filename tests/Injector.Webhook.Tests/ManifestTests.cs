using System.Diagnostics;
using System.Text.Json.Nodes;
using Injector.Documents;
using k8s;
using k8s.Models;

namespace Injector.Webhook.Tests;

/// <summary>
/// The kustomize base in <c>manifests/</c>: rendered with <c>kubectl kustomize</c> when kubectl is installed, else
/// assembled from the YAML files by <see cref="MiniKustomize"/>; every object must load into KubernetesClient's models
/// (strictly: a misspelt field fails).
/// </summary>
public sealed class ManifestTests
{
    private static readonly string[] ExcludedNamespaces = ["kube-system", "kube-public", "kube-node-lease", "injector-system"];

    private static readonly Lazy<IReadOnlyList<object>> Default = new(() => Load("manifests"));
    private static readonly Lazy<IReadOnlyList<object>> SelfSigned = new(() => Load("manifests/overlays/self-signed"));

    [Fact]
    public void Every_object_loads_into_the_Kubernetes_models()
    {
        var kinds = Default.Value.Select(o => $"{((IKubernetesObject)o).Kind}/{((IMetadata<V1ObjectMeta>)o).Metadata.Name}").Order(StringComparer.Ordinal).ToList();

        Assert.Equal(
            [
                "Certificate/injector-ca", "Certificate/injector-serving-cert", "ClusterRole/injector", "ClusterRoleBinding/injector",
                "ConfigMap/injector-config", "Deployment/injector", "Issuer/injector-ca", "Issuer/injector-selfsigned",
                "MutatingWebhookConfiguration/injector-sidecar-injector", "Namespace/injector-system", "NetworkPolicy/injector",
                "PodDisruptionBudget/injector", "PriorityClass/injector-critical", "Service/injector", "ServiceAccount/injector",
            ],
            kinds);
        foreach (var o in Default.Value.OfType<IMetadata<V1ObjectMeta>>().Where(o => o is not V1Namespace and not V1ClusterRole and not V1ClusterRoleBinding and not V1MutatingWebhookConfiguration and not V1PriorityClass))
        {
            Assert.Equal("injector-system", o.Metadata.NamespaceProperty);
        }
    }

    [Fact]
    public void Webhook_entries_carry_Istios_selectors_under_our_names()
    {
        var webhook = Single<V1MutatingWebhookConfiguration>(Default.Value);
        Assert.Equal("injector-sidecar-injector", webhook.Metadata.Name);
        var entries = webhook.Webhooks.ToDictionary(w => w.Name);

        Assert.Equal(
            ["namespace.sidecar-injector.injector.dev", "object.sidecar-injector.injector.dev", "rev.namespace.sidecar-injector.injector.dev", "rev.object.sidecar-injector.injector.dev"],
            entries.Keys.Order(StringComparer.Ordinal));
        AssertSelector(entries["namespace.sidecar-injector.injector.dev"].NamespaceSelector, "istio-injection In enabled");
        AssertSelector(entries["namespace.sidecar-injector.injector.dev"].ObjectSelector, "sidecar.istio.io/inject NotIn false");
        AssertSelector(entries["object.sidecar-injector.injector.dev"].NamespaceSelector, "istio-injection DoesNotExist", "istio.io/rev DoesNotExist");
        AssertSelector(entries["object.sidecar-injector.injector.dev"].ObjectSelector, "sidecar.istio.io/inject In true", "istio.io/rev DoesNotExist");
        AssertSelector(entries["rev.namespace.sidecar-injector.injector.dev"].NamespaceSelector, "istio.io/rev In default", "istio-injection DoesNotExist");
        AssertSelector(entries["rev.namespace.sidecar-injector.injector.dev"].ObjectSelector, "sidecar.istio.io/inject NotIn false");
        AssertSelector(entries["rev.object.sidecar-injector.injector.dev"].NamespaceSelector, "istio.io/rev DoesNotExist", "istio-injection DoesNotExist");
        AssertSelector(entries["rev.object.sidecar-injector.injector.dev"].ObjectSelector, "sidecar.istio.io/inject NotIn false", "istio.io/rev In default");
    }

    [Fact]
    public void Every_webhook_entry_has_the_same_rules_policies_service_and_namespace_exclusions()
    {
        foreach (var overlay in new[] { Default.Value, SelfSigned.Value })
        {
            foreach (var entry in Single<V1MutatingWebhookConfiguration>(overlay).Webhooks)
            {
                var rule = Assert.Single(entry.Rules);
                Assert.Equal(["CREATE"], rule.Operations);
                Assert.Equal([""], rule.ApiGroups);
                Assert.Equal(["v1"], rule.ApiVersions);
                Assert.Equal(["pods"], rule.Resources);
                Assert.Equal("None", entry.SideEffects);
                Assert.Equal("Fail", entry.FailurePolicy);
                Assert.Equal("IfNeeded", entry.ReinvocationPolicy);
                Assert.Equal(["v1", "v1beta1"], entry.AdmissionReviewVersions);
                Assert.Equal(10, entry.TimeoutSeconds);
                Assert.Null(entry.ClientConfig.Url);
                Assert.Equal("injector", entry.ClientConfig.Service.Name);
                Assert.Equal("injector-system", entry.ClientConfig.Service.NamespaceProperty);
                Assert.Equal("/inject", entry.ClientConfig.Service.Path);
                Assert.Equal(443, entry.ClientConfig.Service.Port);
                var exclusion = Assert.Single(entry.NamespaceSelector.MatchExpressions, e => e.Key == "kubernetes.io/metadata.name");
                Assert.Equal("NotIn", exclusion.OperatorProperty);
                Assert.Equal(ExcludedNamespaces.Order(StringComparer.Ordinal), exclusion.Values.Order(StringComparer.Ordinal));
                Assert.Null(entry.NamespaceSelector.MatchLabels);
                Assert.Null(entry.ObjectSelector.MatchLabels);
            }
        }
    }

    [Fact]
    public void Cert_manager_issues_the_serving_certificate_and_injects_the_CA()
    {
        var webhook = Single<V1MutatingWebhookConfiguration>(Default.Value);
        Assert.Equal("injector-system/injector-serving-cert", webhook.Metadata.Annotations["cert-manager.io/inject-ca-from"]);

        var certificates = Default.Value.OfType<CertManagerObject>().ToDictionary(o => $"{o.Kind}/{o.Metadata.Name}");
        Assert.True(certificates["Issuer/injector-selfsigned"].Spec.ContainsKey("selfSigned"));
        var ca = certificates["Certificate/injector-ca"].Spec;
        Assert.Equal("true", ca["isCA"].ToString(), ignoreCase: true);
        Assert.Equal("injector-selfsigned", Field(ca, "issuerRef", "name"));
        Assert.Equal(Field(ca, "secretName"), Field(certificates["Issuer/injector-ca"].Spec, "ca", "secretName"));
        var serving = certificates["Certificate/injector-serving-cert"].Spec;
        Assert.Equal("injector-tls", Field(serving, "secretName"));
        Assert.Equal("injector-ca", Field(serving, "issuerRef", "name"));
        Assert.Equal(
            ["injector.injector-system.svc", "injector.injector-system.svc.cluster.local"],
            ((IEnumerable<object>)serving["dnsNames"]).Select(o => o.ToString()!));
    }

    [Fact]
    public void The_self_signed_overlay_has_no_cert_manager_objects()
    {
        Assert.Empty(SelfSigned.Value.OfType<CertManagerObject>());
        var webhook = Single<V1MutatingWebhookConfiguration>(SelfSigned.Value);
        Assert.False(webhook.Metadata.Annotations?.ContainsKey("cert-manager.io/inject-ca-from") ?? false);
        Assert.Equal(
            Default.Value.Count - Default.Value.OfType<CertManagerObject>().Count(),
            SelfSigned.Value.Count);
    }

    [Fact]
    public void Deployment_is_locked_down_probed_sized_and_mounts_the_secret_and_config()
    {
        var deployment = Single<V1Deployment>(Default.Value);
        Assert.Equal(2, deployment.Spec.Replicas);
        var pod = deployment.Spec.Template;
        Assert.Equal("false", pod.Metadata.Labels["sidecar.istio.io/inject"]);
        Assert.Equal("injector", pod.Spec.ServiceAccountName);
        var spread = Assert.Single(pod.Spec.TopologySpreadConstraints);
        Assert.Equal("kubernetes.io/hostname", spread.TopologyKey);
        Assert.Equal("DoNotSchedule", spread.WhenUnsatisfiable);
        Assert.Equal("injector-critical", pod.Spec.PriorityClassName);
        Assert.Equal(Single<V1PriorityClass>(Default.Value).Metadata.Name, pod.Spec.PriorityClassName);
        Assert.Equal(pod.Metadata.Labels["app.kubernetes.io/name"], spread.LabelSelector.MatchLabels["app.kubernetes.io/name"]);
        Assert.True(pod.Spec.SecurityContext.RunAsNonRoot);
        Assert.Equal("RuntimeDefault", pod.Spec.SecurityContext.SeccompProfile.Type);

        var container = Assert.Single(pod.Spec.Containers);
        Assert.Equal(
            [
                "serve", "--tls-cert", "/etc/injector/certs/tls.crt", "--tls-key", "/etc/injector/certs/tls.key", "--config-dir", "/etc/injector/config",
                "--health-port", "8080", "--shutdown-delay", "5", "--native-sidecars", "auto", "--log-format", "json",
            ],
            container.Args);
        Assert.Equal([9443, 8080], container.Ports.Select(p => p.ContainerPort));
        Assert.True(pod.Spec.TerminationGracePeriodSeconds > 5 + 15, "the grace period covers the shutdown delay and the drain");
        AssertProbe(container.ReadinessProbe, "/readyz");
        AssertProbe(container.LivenessProbe, "/healthz");
        foreach (var resource in new[] { "cpu", "memory" })
        {
            Assert.True(container.Resources.Requests.ContainsKey(resource), $"requests.{resource}");
            Assert.True(container.Resources.Limits.ContainsKey(resource), $"limits.{resource}");
        }

        var security = container.SecurityContext;
        Assert.True(security.RunAsNonRoot);
        Assert.True(security.ReadOnlyRootFilesystem);
        Assert.False(security.AllowPrivilegeEscalation);
        Assert.Equal(["ALL"], security.Capabilities.Drop);
        Assert.Null(security.Capabilities.Add);
        Assert.Equal("RuntimeDefault", security.SeccompProfile.Type);

        var mounts = container.VolumeMounts.ToDictionary(m => m.MountPath);
        var volumes = pod.Spec.Volumes.ToDictionary(v => v.Name);
        Assert.Equal("injector-tls", volumes[mounts["/etc/injector/certs"].Name].Secret.SecretName);
        Assert.Equal("injector-config", volumes[mounts["/etc/injector/config"].Name].ConfigMap.Name);
        Assert.True(mounts["/etc/injector/certs"].ReadOnlyProperty);
        Assert.True(mounts["/etc/injector/config"].ReadOnlyProperty);
    }

    [Fact]
    public void Service_and_disruption_budget_front_the_deployment()
    {
        var deployment = Single<V1Deployment>(Default.Value);
        var service = Single<V1Service>(Default.Value);
        var port = Assert.Single(service.Spec.Ports);
        Assert.Equal(443, port.Port);
        Assert.Equal("9443", port.TargetPort.Value);
        Assert.Equal(deployment.Spec.Selector.MatchLabels, service.Spec.Selector);
        var budget = Single<V1PodDisruptionBudget>(Default.Value);
        Assert.Equal("1", budget.Spec.MinAvailable.Value);
        Assert.Equal(deployment.Spec.Selector.MatchLabels, budget.Spec.Selector.MatchLabels);
    }

    [Fact]
    public void RBAC_grants_only_node_and_namespace_watches_event_writes_and_owner_gets_to_the_injector()
    {
        Assert.Empty(Default.Value.OfType<V1Role>());
        Assert.Empty(Default.Value.OfType<V1RoleBinding>());
        var role = Single<V1ClusterRole>(Default.Value);
        var granted = role.Rules
            .SelectMany(r => r.ApiGroups.SelectMany(g => r.Resources.SelectMany(res => r.Verbs.Select(v => $"{g}/{res}:{v}"))))
            .Order(StringComparer.Ordinal);
        Assert.Equal(
            ["/events:create", "/events:patch", "/namespaces:get", "/namespaces:list", "/namespaces:watch", "/nodes:list", "/nodes:watch", "apps/replicasets:get", "batch/jobs:get"],
            granted);
        Assert.All(role.Rules, r => Assert.Null(r.ResourceNames));

        var binding = Single<V1ClusterRoleBinding>(Default.Value);
        Assert.Equal(role.Metadata.Name, binding.RoleRef.Name);
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", "injector", "injector-system"), (subject.Kind, subject.Name, subject.NamespaceProperty));
        Assert.Equal("injector", Single<V1ServiceAccount>(Default.Value).Metadata.Name);
    }

    [Theory]
    [InlineData("config")]
    [InlineData("values")]
    [InlineData("mesh")]
    public void ConfigMap_holds_the_embedded_defaults(string key)
    {
        var configMap = Single<V1ConfigMap>(Default.Value);
        var embedded = File.ReadAllText(Path.Combine(Repository.Root, "src", "Injector.Core", "Defaults", key + ".yaml"));

        Assert.Equal("injector-config", configMap.Metadata.Name);
        Assert.Equal(["config", "mesh", "values"], configMap.Data.Keys.Order(StringComparer.Ordinal));
        Assert.True(embedded == configMap.Data[key], $"manifests/base/configmap.yaml `{key}` differs from src/Injector.Core/Defaults/{key}.yaml; run scripts/sync-configmap.sh");
    }

    [Theory]
    [InlineData("manifests")]
    [InlineData("manifests/overlays/self-signed")]
    [InlineData("manifests/overlays/revision-canary")]
    [InlineData("manifests/overlays/revision-tag-prod")]
    public void The_file_reader_agrees_with_kubectl_kustomize(string overlay)
    {
        var rendered = Kubectl.Kustomize(overlay);
        if (rendered is null)
        {
            Assert.Skip("kubectl is not installed; the file reader is the only renderer here");
            return;
        }

        var byKubectl = Parse(rendered).Select(Describe).Order(StringComparer.Ordinal);
        var byFiles = Parse(MiniKustomize.Render(Path.Combine(Repository.Root, overlay))).Select(Describe).Order(StringComparer.Ordinal);
        Assert.Equal(byKubectl, byFiles);

        static string Describe(object o) => KubernetesJson.Serialize(o).Length + " " + ((IKubernetesObject)o).Kind + "/" + ((IMetadata<V1ObjectMeta>)o).Metadata.Name;
    }

    internal static IReadOnlyList<object> Load(string relative)
    {
        var text = Kubectl.Kustomize(relative) ?? MiniKustomize.Render(Path.Combine(Repository.Root, relative));
        return Parse(text);
    }

    private static IReadOnlyList<object> Parse(string yaml) =>
        KubernetesYaml.LoadAllFromString(yaml, CertManagerObject.TypeMap, strict: true);

    private static T Single<T>(IReadOnlyList<object> objects) => Assert.Single(objects.OfType<T>());

    private static void AssertSelector(V1LabelSelector selector, params string[] expected)
    {
        var actual = selector.MatchExpressions
            .Where(e => e.Key != "kubernetes.io/metadata.name")
            .Select(e => $"{e.Key} {e.OperatorProperty}{(e.Values is { Count: > 0 } v ? " " + string.Join(",", v) : "")}");
        Assert.Equal(expected, actual);
    }

    private static void AssertProbe(V1Probe probe, string path)
    {
        Assert.Equal(path, probe.HttpGet.Path);
        Assert.Equal("HTTP", probe.HttpGet.Scheme);
        Assert.Equal("http-health", probe.HttpGet.Port.Value);
    }

    [Fact]
    public void Network_policy_opens_only_the_webhook_port_and_metrics_to_monitoring()
    {
        var policy = Single<V1NetworkPolicy>(Default.Value);
        var deployment = Single<V1Deployment>(Default.Value);
        // Every revision's pods (the canary overlay reuses this policy): the selector without the revision label.
        Assert.Equal(deployment.Spec.Selector.MatchLabels.Where(l => l.Key != "injector.dev/revision"), policy.Spec.PodSelector.MatchLabels);
        Assert.Equal(["Ingress", "Egress"], policy.Spec.PolicyTypes);
        Assert.Equal(2, policy.Spec.Ingress.Count);
        var webhook = policy.Spec.Ingress[0];
        Assert.Null(webhook.FromProperty);
        Assert.Equal("9443", Assert.Single(webhook.Ports).Port.Value);
        var metrics = policy.Spec.Ingress[1];
        Assert.Equal("monitoring", Assert.Single(metrics.FromProperty).NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);
        Assert.Equal("8080", Assert.Single(metrics.Ports).Port.Value);
        Assert.Equal(["53", "53", "443", "6443"], policy.Spec.Egress.SelectMany(e => e.Ports).Select(p => p.Port.Value));
    }

    private static string? Field(IDictionary<string, object> map, params string[] path)
    {
        object? node = map;
        foreach (var key in path)
        {
            node = node is IDictionary<object, object> o ? o.TryGetValue(key, out var a) ? a : null
                : node is IDictionary<string, object> s ? s.TryGetValue(key, out var b) ? b : null
                : null;
        }

        return node?.ToString();
    }
}

/// <summary>A cert-manager object (Issuer, Certificate): KubernetesClient has no model for them.</summary>
public sealed class CertManagerObject : IKubernetesObject<V1ObjectMeta>
{
    public static readonly Dictionary<string, Type> TypeMap = new(StringComparer.Ordinal)
    {
        ["cert-manager.io/v1/Issuer"] = typeof(CertManagerObject),
        ["cert-manager.io/v1/Certificate"] = typeof(CertManagerObject),
    };

    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public V1ObjectMeta Metadata { get; set; } = new();

    public Dictionary<string, object> Spec { get; set; } = [];
}

internal static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "manifests")) && File.Exists(Path.Combine(dir.FullName, "Makefile")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("repository root (with manifests/ and Makefile) not found above " + AppContext.BaseDirectory);
    }
}

internal static class Kubectl
{
    /// <summary><c>kubectl kustomize DIR</c> (offline), or null when kubectl is not installed.</summary>
    public static string? Kustomize(string relative)
    {
        Process? process;
        try
        {
            process = Process.Start(new ProcessStartInfo("kubectl", ["kustomize", Path.Combine(Repository.Root, relative)])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }

        if (process is null)
        {
            return null;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(60_000))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"kubectl kustomize {relative} took over 60 s");
            }

            Assert.True(process.ExitCode == 0, $"kubectl kustomize {relative} failed: {stderr.Result}");
            return stdout.Result;
        }
    }
}

/// <summary>
/// Just enough of kustomize for these manifests, for machines without kubectl: <c>resources</c> (files and
/// directories), <c>components</c>, <c>patches</c> that add metadata annotations or labels, and <c>images</c>.
/// Anything else fails loudly rather than render something different from kubectl.
/// </summary>
internal static class MiniKustomize
{
    public static string Render(string dir)
    {
        var objects = new List<JsonObject>();
        Apply(dir, objects);
        return string.Join("\n---\n", objects.Select(o => o.ToJsonString()));
    }

    private static void Apply(string dir, List<JsonObject> objects)
    {
        var kustomization = GoYaml.Parse(File.ReadAllText(Path.Combine(dir, "kustomization.yaml"))) as JsonObject
            ?? throw new InvalidDataException($"{dir}/kustomization.yaml is not a map");
        foreach (var (key, _) in kustomization)
        {
            if (key is not ("apiVersion" or "kind" or "resources" or "components" or "patches" or "images"))
            {
                throw new NotSupportedException($"{dir}/kustomization.yaml: {key} is not supported by the file reader");
            }
        }

        foreach (var resource in Strings(kustomization["resources"]))
        {
            var path = Path.GetFullPath(Path.Combine(dir, resource));
            if (Directory.Exists(path))
            {
                Apply(path, objects);
            }
            else
            {
                objects.AddRange(GoYaml.ParseAll(File.ReadAllText(path)).OfType<JsonObject>());
            }
        }

        foreach (var component in Strings(kustomization["components"]))
        {
            Apply(Path.GetFullPath(Path.Combine(dir, component)), objects);
        }

        foreach (var patch in (kustomization["patches"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var text = patch["patch"]?.GetValue<string>() ?? File.ReadAllText(Path.Combine(dir, patch["path"]!.GetValue<string>()));
            var body = GoYaml.Parse(text);
            var target = patch["target"] as JsonObject ?? body as JsonObject ?? throw new InvalidDataException("a patch without a target must be a map");
            var kind = target["kind"]!.GetValue<string>();
            var name = (target["name"] ?? target["metadata"]?["name"])!.GetValue<string>();
            var matched = objects.Where(o => o["kind"]?.GetValue<string>() == kind && o["metadata"]?["name"]?.GetValue<string>() == name).ToList();
            Assert.True(matched.Count == 1, $"patch of {kind}/{name} in {dir} matches {matched.Count} objects");
            switch (body)
            {
                case JsonArray operations:
                    JsonPointerPatch.Apply(matched[0], operations);
                    break;
                case JsonObject overlay when overlay["$patch"]?.GetValue<string>() == "delete":
                    objects.Remove(matched[0]);
                    break;
                case JsonObject overlay:
                    MergeMetadata(matched[0], overlay);
                    break;
            }
        }

        foreach (var image in (kustomization["images"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var from = image["name"]!.GetValue<string>();
            var to = (image["newName"]?.GetValue<string>() ?? from) + (image["newTag"] is { } tag ? ":" + tag.GetValue<string>() : "");
            foreach (var container in objects.SelectMany(Containers))
            {
                var current = container["image"]?.GetValue<string>();
                if (current == from || current?.StartsWith(from + ":", StringComparison.Ordinal) == true)
                {
                    container["image"] = to;
                }
            }
        }
    }

    /// <summary>A strategic-merge patch of metadata annotations and labels, the only kind the manifests use.</summary>
    private static void MergeMetadata(JsonObject target, JsonObject overlay)
    {
        if (overlay.Any(p => p.Key is not ("apiVersion" or "kind" or "metadata")))
        {
            throw new NotSupportedException("only metadata annotations and labels are supported in a strategic-merge patch by the file reader");
        }

        foreach (var (field, value) in overlay["metadata"]!.AsObject())
        {
            if (field is "annotations" or "labels")
            {
                var into = target["metadata"]![field] as JsonObject ?? (JsonObject)(target["metadata"]![field] = new JsonObject());
                foreach (var (k, v) in value!.AsObject())
                {
                    into[k] = v?.DeepClone();
                }
            }
        }
    }

    private static IEnumerable<JsonObject> Containers(JsonObject o) =>
        o["spec"]?["template"]?["spec"] is JsonObject pod
            ? (pod["containers"] as JsonArray ?? []).Concat(pod["initContainers"] as JsonArray ?? []).OfType<JsonObject>()
            : [];

    private static IEnumerable<string> Strings(JsonNode? node) =>
        (node as JsonArray ?? []).Select(n => n!.GetValue<string>());
}

/// <summary>RFC 6902 add, replace and remove on JSON pointers (kustomize's JSON patches), for the file reader.</summary>
internal static class JsonPointerPatch
{
    public static void Apply(JsonObject document, JsonArray operations)
    {
        foreach (var operation in operations.OfType<JsonObject>())
        {
            var segments = operation["path"]!.GetValue<string>().Split('/')[1..]
                .Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();
            var parent = segments.SkipLast(1).Aggregate<string, JsonNode>(document, (node, key) =>
                node is JsonArray list ? list[int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)]! : node[key]!);
            var last = segments[^1];
            var value = operation["value"]?.DeepClone();
            switch (operation["op"]!.GetValue<string>(), parent)
            {
                case ("add", JsonArray list) when last == "-":
                    list.Add(value);
                    break;
                case ("add", JsonArray list):
                    list.Insert(int.Parse(last, System.Globalization.CultureInfo.InvariantCulture), value);
                    break;
                case ("add" or "replace", JsonArray list):
                    list[int.Parse(last, System.Globalization.CultureInfo.InvariantCulture)] = value;
                    break;
                case ("add" or "replace", JsonObject map):
                    Assert.True(map.ContainsKey(last) || operation["op"]!.GetValue<string>() == "add", $"replace of a missing {operation["path"]}");
                    map[last] = value;
                    break;
                case ("remove", JsonArray list):
                    list.RemoveAt(int.Parse(last, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case ("remove", JsonObject map):
                    Assert.True(map.Remove(last), $"remove of a missing {operation["path"]}");
                    break;
                default:
                    throw new NotSupportedException($"JSON patch op {operation["op"]} at {operation["path"]}");
            }
        }
    }
}
