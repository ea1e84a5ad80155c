using System.Text;
using System.Text.Json.Nodes;

namespace Injector.Core.Tests;

/// <summary>
/// The templates' render memo through the whole injection: an injector that has kept renders for other pods gives
/// every pod exactly what a new injector gives it (patch, warnings, denial), over random pods and variants of them
/// that differ where the templates read the pod (labels they index, annotations they read, ports, names, the proxy's
/// config, read whole) and where they do not (other labels, images). The variants must find kept renders too.
/// </summary>
public sealed class RenderMemoTests
{
    /// <summary>Changes where the templates do not look.</summary>
    private static readonly Action<JsonObject, Random>[] Unread =
    [
        (pod, rng) => Labels(pod)["pod-template-hash"] = $"h{rng.Next(1000)}",
        (pod, rng) => Container(pod, rng)["image"] = $"example/app:{rng.Next(100)}",
        (pod, rng) => Annotations(pod)["example.com/unrelated"] = $"x{rng.Next(1000)}",
        (pod, rng) => Container(pod, rng)["env"] = new JsonArray(new JsonObject { ["name"] = "E", ["value"] = $"{rng.Next(100)}" }),
    ];

    /// <summary>Changes where the templates read the pod (some read whole: the ports, the proxy's config).</summary>
    private static readonly Action<JsonObject, Random>[] Read =
    [
        (pod, rng) => Labels(pod)["app"] = rng.Next(3) == 0 ? "other" : "hello",
        (pod, rng) => Labels(pod)["version"] = $"v{rng.Next(3)}",
        (pod, rng) => Labels(pod)["service.istio.io/canonical-name"] = $"svc{rng.Next(2)}",
        (pod, rng) => Container(pod, rng)["name"] = $"renamed{rng.Next(2)}",
        (pod, rng) => ((JsonArray)(Container(pod, rng)["ports"] ??= new JsonArray())).Add(new JsonObject { ["containerPort"] = 7000 + rng.Next(50), ["protocol"] = rng.Next(4) == 0 ? "UDP" : "TCP" }),
        (pod, rng) => Spec(pod)["serviceAccountName"] = $"sa{rng.Next(2)}",
        (pod, rng) => Annotations(pod)["sidecar.istio.io/proxyCPU"] = $"{100 + (rng.Next(3) * 100)}m",
        (pod, rng) => Annotations(pod)["traffic.sidecar.istio.io/excludeOutboundPorts"] = $"{8000 + rng.Next(3)}",
        (pod, rng) => Annotations(pod)["sidecar.istio.io/logLevel"] = rng.Next(2) == 0 ? "debug" : "info",
        (pod, rng) => Annotations(pod)["proxy.istio.io/config"] = $"concurrency: {1 + rng.Next(3)}",
        (pod, rng) => Annotations(pod)["sidecar.istio.io/interceptionMode"] = rng.Next(2) == 0 ? "REDIRECT" : "TPROXY",
        (pod, rng) => Annotations(pod)["status.sidecar.istio.io/port"] = rng.Next(2) == 0 ? "15020" : "15021",
        (pod, rng) => Annotations(pod)["sidecar.istio.io/userVolumeMount"] = rng.Next(2) == 0 ? "" : """{"uv":{"mountPath":"/uv"}}""",
    ];

    [Fact]
    public void An_injector_that_kept_renders_gives_every_pod_what_a_new_injector_gives()
    {
        var shared = new PodInjector(TestConfig.Load());
        var rendered = 0;
        for (var seed = 1; seed <= 40; seed++)
        {
            var rng = new Random(seed);
            var pod = RandomPods.Build(1 + (seed % 3), seed % 2, seed);

            // The workload's pod seen before, twice: its output is kept the second time its text comes.
            for (var seen = 0; seen < 2; seen++)
            {
                Assert.Equal(Outcome(new PodInjector(TestConfig.Load()), pod), Outcome(shared, pod));
            }

            for (var variant = 0; variant < 5; variant++)
            {
                var copy = (JsonObject)pod.DeepClone();
                for (var c = 0; c < 1 + rng.Next(2); c++)
                {
                    Unread[rng.Next(Unread.Length)](copy, rng);
                }

                if (rng.Next(2) == 0)
                {
                    Read[rng.Next(Read.Length)](copy, rng);
                }

                var alone = Outcome(new PodInjector(TestConfig.Load()), copy);
                Assert.True(alone == Outcome(shared, copy), $"seed {seed}, variant {variant}: a kept render gave another injection\npod: {copy.ToJsonString()}");
                rendered++;
            }
        }

        var memo = shared.Templates.MemoOf("sidecar");
        Assert.True(memo.Kept > 0, "no render was kept");
        Assert.True(memo.Conflicts == 0, $"{memo.Conflicts} renders asked other questions than a kept render with the same answers");
        Assert.True(Found(shared) > rendered / 5, $"only {Found(shared)} of {rendered} injections found a kept render");
    }

    [Fact]
    public void A_pod_that_differs_only_where_the_template_does_not_look_finds_the_kept_render()
    {
        var injector = new PodInjector(TestConfig.Load());
        var first = Outcome(injector, Pods.Hello());
        var memo = injector.Templates.MemoOf("sidecar");

        // A render is kept the second time its text comes.
        Assert.Equal(0, memo.Kept);
        Assert.Equal(first, Outcome(injector, Pods.Hello()));
        var kept = memo.Kept;
        Assert.Equal(1, kept);

        var other = Pods.Hello();
        other["metadata"]!["labels"]!["pod-template-hash"] = "abc123";
        other["spec"]!["containers"]![0]!["image"] = "fake.docker.io/hello:2.0";
        Outcome(injector, other);
        Assert.Equal(kept, memo.Kept);
        Assert.Equal(1, memo.Found);

        // A label the template reads renders afresh.
        var named = Pods.Hello();
        named["metadata"]!["labels"]!["app"] = "renamed";
        var renamed = Outcome(injector, named);
        Assert.Equal(kept, memo.Kept);
        Assert.Equal(renamed, Outcome(injector, named));
        Assert.Equal(kept + 1, memo.Kept);
        Assert.Equal(first, Outcome(injector, Pods.Hello()));
    }

    private static long Found(PodInjector injector) => injector.Templates.MemoOf("sidecar").Found;

    private static string Outcome(PodInjector injector, JsonObject pod) =>
        injector.Inject(new InjectionRequest((JsonObject)pod.DeepClone(), "default", InjectionDoor.Webhook, [])) switch
        {
            InjectionResult.Injected injected => $"injected {Encoding.UTF8.GetString(injected.PatchJson)} {string.Join('|', injected.Warnings)}",
            InjectionResult.Denied denied => $"denied {denied.Reason}: {denied.Message}",
            var other => $"{other.GetType().Name} {other.Code}",
        };

    private static JsonObject Labels(JsonObject pod) => (JsonObject)(((JsonObject)pod["metadata"]!)["labels"] ??= new JsonObject());

    private static JsonObject Annotations(JsonObject pod) => (JsonObject)(((JsonObject)pod["metadata"]!)["annotations"] ??= new JsonObject());

    private static JsonObject Spec(JsonObject pod) => (JsonObject)pod["spec"]!;

    private static JsonObject Container(JsonObject pod, Random rng)
    {
        var containers = (JsonArray)Spec(pod)["containers"]!;
        return (JsonObject)containers[rng.Next(containers.Count)]!;
    }
}
