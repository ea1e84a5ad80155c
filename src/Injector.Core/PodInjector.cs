using System.Text.Json.Nodes;
using Injector.Core.Config;
using Injector.Core.Kube;
using Injector.Core.Platform;
using Injector.Core.Policy;
using Injector.Core.PostProcess;
using Injector.Core.Templates;
using Injector.Core.Workloads;
using Injector.Documents;

namespace Injector.Core;

/// <summary>
/// The injection core for one configuration snapshot. The request path reads top to bottom:
/// decide → validate → strip an earlier injection → render and merge the templates → post-process → diff.
/// </summary>
public sealed class PodInjector : IPodInjector
{
    private readonly TemplateSet _templates;
    private readonly INamespaceAnnotations? _namespaces;

    /// <param name="settings">The configuration snapshot.</param>
    /// <param name="namespaces">Where namespace annotations come from (OpenShift UID ranges); null when unavailable.</param>
    public PodInjector(InjectorSettings settings, INamespaceAnnotations? namespaces = null)
    {
        Settings = settings;
        _namespaces = namespaces;
        _templates = new TemplateSet(settings.Config, InjectorFunctions.Create(settings.Env));
    }

    public InjectorSettings Settings { get; }

    /// <summary>Templates of this configuration that failed to parse (name → reason); the config reloader refuses such a set.</summary>
    public IReadOnlyDictionary<string, string> BrokenTemplates => _templates.Broken;

    public InjectionResult Inject(InjectionRequest request)
    {
        var warnings = new List<string>();
        var original = request.Pod;
        var podNamespace = original["metadata"]?["namespace"]?.ToString() is { Length: > 0 } ns ? ns : request.Namespace ?? "";

        var decision = InjectionPolicy.Decide(original, podNamespace, Settings.Config, request.Door, warnings);
        if (!decision.Inject)
        {
            return new InjectionResult(decision, original, [], warnings, null);
        }

        try
        {
            var injected = Render(original, podNamespace, request);
            warnings.AddRange(AnnotationWarnings.Find(PodJson.AnnotationsOrNull(original), original["metadata"]?["labels"] as JsonObject));
            return new InjectionResult(decision, injected, JsonPatchDiff.Create(original, injected), warnings, null);
        }
        catch (InjectionException e)
        {
            return new InjectionResult(decision, null, null, warnings, e.Message, e.Reason);
        }
    }

    private JsonObject Render(JsonObject original, string podNamespace, InjectionRequest request)
    {
        if (AnnotationValidation.Validate(PodJson.AnnotationsOrNull(original)) is { } invalid)
        {
            throw new InjectionException(DenialReason.InvalidAnnotation, invalid);
        }

        var pod = (JsonObject)original.DeepClone();
        var meshStatusPort = Settings.Mesh["defaultConfig"]?["statusPort"]?.ToString() ?? "15020";

        // Re-injection: undo the earlier injection first, keeping the app probers it recorded.
        string? previousProbers = null;
        if (Settings.IsOpenShift)
        {
            OpenShiftUser.ClearSharedProxyUser(pod);
        }

        var status = ReinjectionStrip.Read(pod);
        var userPod = (JsonObject)pod.DeepClone();
        if (status is not null)
        {
            previousProbers = PodJson.Proxy(pod) is { } oldProxy ? Env.Value(oldProxy, ProbeRewrite.EnvName) : null;
            ReinjectionStrip.Apply(pod, status, meshStatusPort);
        }

        UserOverrides.Restore(pod);

        var annotations = PodJson.AnnotationsOrNull(pod);
        var proxyConfig = ProxyConfigs.Effective(Settings.Mesh, annotations?[ProxyConfigs.Annotation]?.ToString());
        var native = annotations?["sidecar.istio.io/nativeSidecar"]?.ToString() switch
        {
            "true" => true,
            "false" => false,
            _ => Settings.NativeSidecars,
        };
        var workload = request.Workload ?? PodOwner.Derive(pod, podNamespace);
        var proxyIds = Settings.IsOpenShift
            ? OpenShiftIds.Resolve(_namespaces?.Get(podNamespace))
            : (OpenShiftIds.DefaultId, OpenShiftIds.DefaultId);
        var data = TemplateData.Build(pod, podNamespace, workload, Settings, proxyConfig, native, proxyIds);

        var templatePod = new JsonObject();
        foreach (var name in _templates.Select(annotations))
        {
            var fragment = _templates.Render(name, data);
            templatePod = StrategicMerge.Apply(templatePod, fragment, MergeSchema.Pod);
            MoveUserProxyToInit(pod, fragment);
            pod = StrategicMerge.Apply(pod, fragment, MergeSchema.Pod);
        }

        var overrides = UserOverrides.Collect(userPod, templatePod, status);
        UserOverrides.Apply(pod, overrides, firstInjection: status is null);
        var interceptionMode = annotations?["sidecar.istio.io/interceptionMode"]?.ToString() ?? proxyConfig["interceptionMode"]?.ToString();
        UserOverrides.AdjustRunAs(pod, overrides, tproxy: interceptionMode == "TPROXY");
        var injectedNames = PodJson.Items(templatePod, "containers").Concat(PodJson.Items(templatePod, "initContainers"))
            .Select(PodJson.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var container in PodJson.Items(pod, "containers").Concat(PodJson.Items(pod, "initContainers")))
        {
            if (PodJson.Name(container) is { } name && injectedNames.Contains(name))
            {
                ResourceQuantities.Canonicalize(container);
            }
        }

        var network = Settings.Values["global"]?["network"]?.ToString();
        var clusterName = Settings.Values["global"]?["multiCluster"]?["clusterName"]?.ToString();
        ClusterEnv.Apply(pod, request.PathEnv, clusterName, network);

        var statusPort = annotations?["status.sidecar.istio.io/port"]?.ToString() is { Length: > 0 } sp ? sp : meshStatusPort;
        PrometheusMerge.Apply(pod, Settings.Mesh, meshStatusPort);
        if (ProbeRewrite.Enabled(pod, Settings.Values))
        {
            ProbeRewrite.Apply(pod, int.TryParse(statusPort, out var port) ? port : 15020, previousProbers);
        }

        PodMetadata.Apply(pod, templatePod, network, Settings.Revision, Settings.Config.InjectedAnnotations);
        var hold = proxyConfig["holdApplicationUntilProxyStarts"] is JsonValue h && h.TryGetValue<bool>(out var holdPc) && holdPc
            || Settings.Values["global"]?["proxy"]?["holdApplicationUntilProxyStarts"] is JsonValue hv && hv.TryGetValue<bool>(out var holdValues) && holdValues;
        ContainerOrder.Apply(pod, hold);
        return pod;
    }

    /// <summary>In native mode a user's own istio-proxy in containers follows the template into initContainers (spec §6.2).</summary>
    private static void MoveUserProxyToInit(JsonObject pod, JsonObject fragment)
    {
        if (PodJson.Find(fragment, "initContainers", PodJson.ProxyContainer) is null || PodJson.Find(pod, "containers", PodJson.ProxyContainer) is not { } userProxy)
        {
            return;
        }

        var spec = PodJson.Spec(pod);
        ((JsonArray)spec["containers"]!).Remove(userProxy);
        if (spec["initContainers"] is not JsonArray inits)
        {
            inits = [];
            spec["initContainers"] = inits;
        }

        inits.Add(userProxy);
    }
}
