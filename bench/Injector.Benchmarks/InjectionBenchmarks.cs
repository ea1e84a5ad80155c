using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Injector.Core;
using Injector.Core.Config;
using Injector.Documents;

namespace Injector.Benchmarks;

/// <summary>
/// The whole injection as the webhook does it, per sample pod: pod JSON bytes in, patch bytes out. The baseline does the
/// work no injector can avoid (parse the pod, serialise it back), so the Ratio column is the injector's cost multiple.
/// Three streams of pods: the same pod every time; distinct pods as a Deployment's next ReplicaSet sends them (a new
/// pod-template-hash label each, which the templates do not read); distinct pods whose app label (which the sidecar
/// template reads) is new each time, so every one is rendered.
/// </summary>
[MemoryDiagnoser]
public class InjectionBenchmarks
{
    private PodInjector _injector = null!;
    private byte[] _pod = [];
    private byte[][] _newHash = [];
    private byte[][] _newApp = [];
    private int _next;

    /// <summary>Distinct pods per stream, cycled (the render memo keeps 64 renders per template).</summary>
    private const int VariantCount = 1024;

    [ParamsSource(nameof(PodNames))]
    public string Pod { get; set; } = SamplePods.Small;

    public static IEnumerable<string> PodNames => SamplePods.Names;

    [GlobalSetup]
    public void Setup()
    {
        _injector = new PodInjector(SettingsLoader.Defaults());
        _pod = SamplePods.Bytes(Pod);
        _newHash = Variants(Pod, "pod-template-hash", "h");
        _newApp = Variants(Pod, "app", "app-");

        // A benchmark of a skipped or denied pod would measure the wrong thing: check the sample is injected.
        var check = Inject(_pod);
        if (check.Length < 1000)
        {
            throw new InvalidOperationException($"pod {Pod} was not injected (patch of {check.Length} bytes)");
        }
    }

    [Benchmark(Baseline = true, Description = "parse + serialise (baseline)")]
    public byte[] ParseAndSerialize()
    {
        var pod = (JsonObject)JsonTree.Parse(_pod)!;
        return Encoding.UTF8.GetBytes(pod.ToJsonString());
    }

    [Benchmark(Description = "parse + inject + patch bytes")]
    public byte[] Inject() => Inject(_pod);

    [Benchmark(Description = "distinct pods: new pod-template-hash")]
    public byte[] InjectNewHash() => Inject(_newHash[_next++ % _newHash.Length]);

    [Benchmark(Description = "distinct pods: new app label (rendered)")]
    public byte[] InjectNewApp() => Inject(_newApp[_next++ % _newApp.Length]);

    private static byte[][] Variants(string name, string label, string prefix)
    {
        var variants = new byte[VariantCount][];
        for (var i = 0; i < variants.Length; i++)
        {
            var pod = SamplePods.Build(name);
            var metadata = (JsonObject)pod["metadata"]!;
            var labels = metadata["labels"] as JsonObject ?? [];
            metadata["labels"] = labels;
            labels[label] = prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            variants[i] = System.Text.Encoding.UTF8.GetBytes(pod.ToJsonString());
        }

        return variants;
    }

    private byte[] Inject(byte[] bytes)
    {
        // As the webhook reads request.object.
        var pod = (JsonObject)JsonTree.Parse(bytes)!;
        var result = _injector.Inject(new InjectionRequest(pod, "default", InjectionDoor.Webhook, []));
        if (result is not InjectionResult.Injected injected)
        {
            throw new InvalidOperationException($"not injected: {result.Code}");
        }

        // The bytes the webhook sends (AdmissionHandler.RespondAsync).
        return injected.PatchJson;
    }
}
