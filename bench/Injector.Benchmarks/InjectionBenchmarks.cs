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
/// </summary>
[MemoryDiagnoser]
public class InjectionBenchmarks
{
    private PodInjector _injector = null!;
    private byte[] _pod = [];

    [ParamsSource(nameof(PodNames))]
    public string Pod { get; set; } = SamplePods.Small;

    public static IEnumerable<string> PodNames => SamplePods.Names;

    [GlobalSetup]
    public void Setup()
    {
        _injector = new PodInjector(SettingsLoader.Defaults());
        _pod = SamplePods.Bytes(Pod);

        // A benchmark of a skipped or denied pod would measure the wrong thing: check the sample is injected.
        var check = Inject();
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
    public byte[] Inject()
    {
        // As the webhook reads request.object.
        var pod = (JsonObject)JsonTree.Parse(_pod)!;
        var result = _injector.Inject(new InjectionRequest(pod, "default", InjectionDoor.Webhook, []));
        if (result is not InjectionResult.Injected injected)
        {
            throw new InvalidOperationException($"not injected: {result.Code}");
        }

        // The bytes the webhook sends (AdmissionHandler.RespondAsync).
        return injected.PatchJson;
    }
}
