using System.Reflection;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Injector.Core;
using Injector.Core.Config;
using Injector.Core.Templates;
using Injector.Core.Workloads;
using Injector.Documents;

namespace Injector.Benchmarks;

/// <summary>
/// The three big stages of one injection of the realistic Deployment pod, each alone, against the whole
/// <see cref="PodInjector.Inject"/> of the already parsed pod (baseline), so Ratio is each stage's share of the total.
/// </summary>
[MemoryDiagnoser]
public class StageBenchmarks
{
    private PodInjector _injector = null!;
    private TemplateSet _templates = null!;
    private JsonObject _pod = null!;
    private JsonObject _injected = null!;
    private JsonObject _fragment = null!;
    private object _data = null!;
    private string _template = "";

    [GlobalSetup]
    public void Setup()
    {
        var settings = SettingsLoader.Defaults();
        _injector = new PodInjector(settings);
        _templates = new TemplateSet(settings.Config, InjectorFunctions.Create(settings.Env));
        _pod = SamplePods.RealisticPod();
        var result = _injector.Inject(new InjectionRequest(_pod, "default", InjectionDoor.Webhook, []));
        _injected = (result as InjectionResult.Injected)?.Pod ?? throw new InvalidOperationException($"the realistic pod was not injected: {result.Code}");

        // The template data is built by the internal TemplateData.Build; call it the way PodInjector.Render does.
        var ns = _pod["metadata"]!["namespace"]!.ToString();
        var build = typeof(TemplateSet).Assembly.GetType("Injector.Core.Templates.TemplateData", throwOnError: true)!
            .GetMethod("Build", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!;
        var proxyConfig = ProxyConfigs.Effective(settings.Mesh, null);
        _data = build.Invoke(null, [_pod, ns, PodOwner.Derive(_pod, ns), settings, proxyConfig, settings.NativeSidecars, (1337L, 1337L)])!;
        _template = _templates.Select(_pod["metadata"]!["annotations"] as JsonObject)[0];
        _fragment = _templates.Render(_template, _data).Fragment;
    }

    [Benchmark(Baseline = true, Description = "whole Inject (parsed pod)")]
    public InjectionResult WholeInject() =>
        _injector.Inject(new InjectionRequest(_pod, "default", InjectionDoor.Webhook, []));

    [Benchmark(Description = "template render (execute + YAML parse)")]
    public JsonObject TemplateRender() => _templates.Render(_template, _data).Fragment;

    [Benchmark(Description = "strategic merge (fragment into pod)")]
    public JsonObject StrategicMergeOnly() => StrategicMerge.Apply(_pod, _fragment, MergeSchema.Pod);

    [Benchmark(Description = "JSON diff (RFC 6902 patch)")]
    public byte[] JsonDiff() => JsonPatchDiff.CreateUtf8(_pod, _injected);
}
