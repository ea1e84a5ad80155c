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
        var earlier = UndoEarlierInjection(pod);
        var annotations = PodJson.AnnotationsOrNull(pod);
        var proxyConfig = ProxyConfigs.Effective(Settings.Mesh, annotations?[ProxyConfigs.Annotation]?.ToString());

        var (injected, templatePod) = MergeTemplates(pod, podNamespace, request, proxyConfig);
        PostProcess(injected, templatePod, earlier, proxyConfig, annotations, request);
        return injected;
    }

    /// <summary>What an earlier injection left: its record, the pod as the user wrote it, and the app probers it moved.</summary>
    private sealed record Earlier(ReinjectionStrip.Status? Status, JsonObject UserPod, string? Probers);

    /// <summary>
    /// Re-injection (spec §2.4): the containers, volumes and annotations an earlier injection recorded are removed and
    /// the recorded user overrides put back, so rendering again gives the same pod.
    /// </summary>
    private Earlier UndoEarlierInjection(JsonObject pod)
    {
        if (Settings.IsOpenShift)
        {
            OpenShiftUser.ClearSharedProxyUser(pod);
        }

        var status = ReinjectionStrip.Read(pod);
        var userPod = (JsonObject)pod.DeepClone();
        string? probers = null;
        if (status is not null)
        {
            probers = PodJson.Proxy(pod) is { } oldProxy ? Env.Value(oldProxy, ProbeRewrite.EnvName) : null;
            ReinjectionStrip.Apply(pod, status, MeshStatusPort);
        }

        UserOverrides.Restore(pod);
        return new Earlier(status, userPod, probers);
    }

    /// <summary>Renders each selected template and strategic-merges it into the pod and into the template-only pod.</summary>
    private (JsonObject Pod, JsonObject TemplatePod) MergeTemplates(JsonObject pod, string podNamespace, InjectionRequest request, JsonObject proxyConfig)
    {
        var annotations = PodJson.AnnotationsOrNull(pod);
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

        return (pod, templatePod);
    }

    /// <summary>Post-processing in Istio's order (spec §6.4): overrides, env order, Prometheus, probes, metadata, container order.</summary>
    /// <param name="pod">The merged pod, changed in place.</param>
    /// <param name="templatePod">What the templates alone produced.</param>
    /// <param name="earlier">What an earlier injection left.</param>
    /// <param name="proxyConfig">The effective ProxyConfig.</param>
    /// <param name="annotations">The pod's own annotations, as they were before the templates were merged.</param>
    /// <param name="request">The request (path env).</param>
    private void PostProcess(JsonObject pod, JsonObject templatePod, Earlier earlier, JsonObject proxyConfig, JsonObject? annotations, InjectionRequest request)
    {
        var overrides = UserOverrides.Collect(earlier.UserPod, templatePod, earlier.Status);
        UserOverrides.Apply(pod, overrides, firstInjection: earlier.Status is null);
        var interceptionMode = annotations?["sidecar.istio.io/interceptionMode"]?.ToString() ?? proxyConfig["interceptionMode"]?.ToString();
        UserOverrides.AdjustRunAs(pod, overrides, tproxy: interceptionMode == "TPROXY");
        ResourceQuantities.CanonicalizeInjected(pod, templatePod);

        var network = Settings.Values["global"]?["network"]?.ToString();
        var clusterName = Settings.Values["global"]?["multiCluster"]?["clusterName"]?.ToString();
        ClusterEnv.Apply(pod, request.PathEnv, clusterName, network);

        PrometheusMerge.Apply(pod, Settings.Mesh, MeshStatusPort);
        if (ProbeRewrite.Enabled(pod, Settings.Values))
        {
            var statusPort = annotations?["status.sidecar.istio.io/port"]?.ToString() is { Length: > 0 } sp ? sp : MeshStatusPort;
            ProbeRewrite.Apply(pod, int.TryParse(statusPort, out var port) ? port : 15020, earlier.Probers);
        }

        PodMetadata.Apply(pod, templatePod, network, Settings.Revision, Settings.Config.InjectedAnnotations);
        ContainerOrder.Apply(pod, HoldApplication(proxyConfig));
    }

    /// <summary>The agent's status port from the mesh config; Prometheus and re-injection compare against it.</summary>
    private string MeshStatusPort => Settings.Mesh["defaultConfig"]?["statusPort"]?.ToString() ?? "15020";

    /// <summary>The app waits for the proxy when the effective ProxyConfig or the values say so (spec §3.5).</summary>
    private bool HoldApplication(JsonObject proxyConfig) =>
        IsTrue(proxyConfig["holdApplicationUntilProxyStarts"]) || IsTrue(Settings.Values["global"]?["proxy"]?["holdApplicationUntilProxyStarts"]);

    private static bool IsTrue(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) && b;

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
