using System.Text.Json.Nodes;
using Injector.Core;
using Injector.Webhook;

namespace Injector.Conformance.Tests;

/// <summary>
/// Our own templates are Istio's in effect: for every corpus input with default settings and every pod template name
/// of Istio's chart, injecting with the embedded defaults gives exactly the pod that Istio's own ConfigMap
/// (../shared/istio-corpus/dropin as the config dir) gives, annotations and patch included; also with settings that
/// take the templates' other branches.
/// </summary>
public sealed class EmbeddedEqualsDropInTests
{
    /// <summary>The chart's templates that inject a pod (its others render Gateway deployments; see the drop-in tests).</summary>
    public static readonly string[] PodTemplates = ["sidecar", "gateway", "grpc-simple", "grpc-agent"];

    /// <summary>Settings that take the templates' other branches (none: the defaults).</summary>
    private static readonly string[] Settings =
    [
        "",
        "values.global.mountMtlsCerts=true",
        "values.global.caName=GkeWorkloadCertificate",
        "values.global.network=net1",
        "values.global.meshID=mesh1",
        "values.global.logAsJson=true",
        "values.global.sts.servicePort=15463",
        "values.global.proxy.statusPort=0",
        "values.global.imagePullPolicy=Always",
        "values.pilot.env.ENABLE_CLUSTER_TRUST_BUNDLE_API=true",
        "values.global.pilotCertProvider=kubernetes",
        "values.global.caAddress=ca.example:15012",
        "values.revision=canary",
        "values.global.proxy.image=registry.example/proxy:1",
        "meshConfig.trustDomain=example.org",
        "meshConfig.defaultConfig.proxyMetadata.EXTRA=x",
        "meshConfig.inboundTrafficPolicy.mode=LOCALHOST",
    ];

    /// <summary>
    /// Where Istio's template renders something broken, ours deliberately does not: (template, setting, input) → why.
    /// </summary>
    private static readonly Dictionary<(string, string, string), string> Deliberate = new()
    {
        [("grpc-agent", "values.global.proxy.statusPort=0", "testdata/inject/user-volume.yaml")] =
            "with the status port off Istio's grpc-agent writes no volumeMounts key, so the sidecar.istio.io/userVolumeMount entries land in the proxy's env list as env vars named after the volumes",
    };

    public static TheoryData<string, string> TemplatesAndSettings()
    {
        var data = new TheoryData<string, string>();
        foreach (var template in PodTemplates)
        {
            foreach (var setting in Settings)
            {
                data.Add(template, setting);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TemplatesAndSettings))]
    public void Every_default_setting_input_injects_the_same_with_either(string template, string setting)
    {
        Corpus.RequireOrSkip();

        IReadOnlyList<string> sets = setting.Length == 0 ? [] : [setting];
        var embedded = InjectorFactory.Build(new ConfigSources(Sets: sets));
        var dropIn = InjectorFactory.Build(new ConfigSources(ConfigDir: Corpus.PathOf("dropin"), Sets: sets));
        var differences = new List<string>();
        var compared = 0;
        var injected = 0;
        foreach (var input in Corpus.Cases.Where(c => CaseRunner.DefaultSettings(c) && !c.KubeInjectOnly).Select(c => c.Input).Distinct(StringComparer.Ordinal))
        {
            foreach (var (pod, i) in WebhookPods.FromYaml(File.ReadAllText(Corpus.PathOf(input))).Select((p, i) => (p, i)))
            {
                var annotations = PodJsonAnnotations(pod);
                annotations["inject.istio.io/templates"] = template;
                var ns = pod["metadata"]?["namespace"]?.ToString() ?? "default";
                var ours = Outcome(embedded.Inject(new InjectionRequest(pod, ns, InjectionDoor.Webhook, [])));
                var istios = Outcome(dropIn.Inject(new InjectionRequest(pod, ns, InjectionDoor.Webhook, [])));
                compared++;
                injected += istios is JsonObject o && o.ContainsKey("spec") ? 1 : 0;
                if (Deliberate.ContainsKey((template, setting, input)))
                {
                    continue;
                }

                if (FirstDifference.Find(istios, ours, "pod") is { } difference)
                {
                    differences.Add($"{input} pod {i}: {difference}");
                }
            }
        }

        Assert.True(compared > 50, $"only {compared} pods compared");
        Assert.True(injected > compared / 2, $"only {injected} of {compared} pods were injected: the comparison would pass on two equal denials");
        Assert.True(differences.Count == 0, $"{differences.Count} of {compared} pods differ with template {template} and '{setting}':\n" + string.Join("\n", differences.Take(15)));
    }

    private static JsonObject PodJsonAnnotations(JsonObject pod)
    {
        var metadata = pod["metadata"] as JsonObject ?? (JsonObject)(pod["metadata"] = new JsonObject());
        return metadata["annotations"] as JsonObject ?? (JsonObject)(metadata["annotations"] = new JsonObject());
    }

    /// <summary>The injected pod, or the skip or denial (reason and message) as a value to compare.</summary>
    private static JsonNode Outcome(InjectionResult result) => result switch
    {
        InjectionResult.Injected injected => injected.Pod,
        InjectionResult.Skipped skipped => new JsonObject { ["skipped"] = skipped.Reason.ToString() },
        InjectionResult.Denied denied => new JsonObject { ["denied"] = denied.Reason.ToString(), ["message"] = denied.Message },
        _ => throw new InvalidOperationException(result.GetType().Name),
    };
}
