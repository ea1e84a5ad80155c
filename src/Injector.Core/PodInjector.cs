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

    /// <param name="settings">The configuration snapshot.</param>
    public PodInjector(InjectorSettings settings)
    {
        Settings = settings;
        _templates = new TemplateSet(settings.Config, InjectorFunctions.Create(settings.Env));
    }

    public InjectorSettings Settings { get; }

    /// <summary>The parsed templates and their kept outputs (tests).</summary>
    internal TemplateSet Templates => _templates;

    /// <summary>Templates of this configuration that failed to parse (name → reason); the config reloader refuses such a set.</summary>
    public IReadOnlyDictionary<string, string> BrokenTemplates => _templates.Broken;

    /// <summary>The templates a pod gets (its inject.istio.io/templates annotation, else the defaults), aliases expanded.</summary>
    public IReadOnlyList<string> SelectedTemplates(JsonObject pod) => _templates.Select(PodJson.AnnotationsOrNull(pod));

    /// <summary>On OpenShift the proxy's UID and GID come from the namespace's annotations.</summary>
    public bool ReadsNamespaceAnnotations => Settings.IsOpenShift;

    public string Revision => Settings.Revision;

    /// <summary>
    /// Decide → validate → render and merge → post-process → check the result → diff. The only place in the program
    /// where an exception becomes a result: a denial the core raised keeps its reason, the deadline becomes
    /// <see cref="DenialReason.DeadlineExceeded"/> and anything else <see cref="DenialReason.InternalError"/> with the exception attached.
    /// </summary>
    public InjectionResult Inject(InjectionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var warnings = new List<string>();
        try
        {
            return Run(request, warnings, cancellationToken);
        }
        catch (InjectionException e)
        {
            return new InjectionResult.Denied(e.Reason, e.Message, warnings);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new InjectionResult.Denied(DenialReason.DeadlineExceeded, "injection was stopped: it did not finish before the request's deadline", warnings);
        }
        catch (InsufficientExecutionStackException e)
        {
            return new InjectionResult.Denied(DenialReason.LimitExceeded, "the pod or the configuration nests too deeply to process", warnings, e);
        }
#pragma warning disable CA1031 // The one place an unexpected failure becomes a result: a named reason, the exception kept for the caller's log.
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            return new InjectionResult.Denied(DenialReason.InternalError, $"internal error ({e.GetType().Name}); the injector's log has the details", warnings, e);
        }
    }

    private InjectionResult Run(InjectionRequest request, List<string> warnings, CancellationToken ct)
    {
        var original = request.Pod;
        // The bounds first: they stop counting at the limit, so an oversized pod costs little to refuse.
        if (PodLimits.Check(original) is { } limit)
        {
            return new InjectionResult.Denied(DenialReason.LimitExceeded, limit, warnings);
        }

        if (PodShape.Check(original) is { } shape)
        {
            return new InjectionResult.Denied(DenialReason.InvalidPod, $"invalid pod: {shape}", warnings);
        }

        if (PodValidity.First(original) is { } problem)
        {
            // The API server validates after mutating webhooks; refusing here says why, and no injection is built on a clash.
            return new InjectionResult.Denied(DenialReason.InvalidPod, $"invalid pod: {problem}", warnings);
        }

        var podNamespace = original["metadata"]?["namespace"]?.GetValue<string>() is { Length: > 0 } ns ? ns : request.Namespace ?? "";
        InjectionDecision decision;
        using (var span = InjectorTracing.Source.StartActivity("decide"))
        {
            decision = InjectionPolicy.Decide(original, podNamespace, Settings.Config, request.Door, warnings);
            span?.SetTag("injector.reason", decision.Reason.Code);
        }

        if (!decision.Inject)
        {
            return new InjectionResult.Skipped(decision.Reason, warnings);
        }

        ct.ThrowIfCancellationRequested();
        var (injected, rendered) = Render(original, podNamespace, request, warnings, ct);
        ct.ThrowIfCancellationRequested();
        if (PodShape.CheckInjected(injected, rendered.Containers, rendered.Volumes) is { } injectedShape)
        {
            // A value the pod carried into the injected containers (proxy.istio.io/overrides) has the wrong type.
            return new InjectionResult.Denied(DenialReason.InvalidResult, $"injecting would produce an invalid pod: {injectedShape}", warnings);
        }

        if (PodValidity.Check(injected) is { } invalid)
        {
            return new InjectionResult.Denied(DenialReason.InvalidResult, $"injecting would produce an invalid pod: {invalid}", warnings);
        }

        warnings.AddRange(AnnotationWarnings.Find(PodJson.AnnotationsOrNull(original), original["metadata"]?["labels"] as JsonObject));
        byte[] patch;
        using (InjectorTracing.Source.StartActivity("diff"))
        {
            patch = JsonPatchDiff.CreateUtf8(original, injected);
        }

        return new InjectionResult.Injected(decision.Reason, injected, patch, warnings)
        {
            Templates = SelectedTemplates(original),
        };
    }

    /// <summary>The names of what the templates produced: the parts of the result not already checked as the user's pod.</summary>
    private sealed record Rendered(IReadOnlySet<string> Containers, IReadOnlySet<string> Volumes);

    private (JsonObject Pod, Rendered Names) Render(JsonObject original, string podNamespace, InjectionRequest request, List<string> warnings, CancellationToken ct)
    {
        if (AnnotationValidation.Validate(PodJson.AnnotationsOrNull(original)) is { } invalid)
        {
            throw new InjectionException(DenialReason.InvalidAnnotation, invalid);
        }

        var pod = (JsonObject)original.DeepClone();
        var earlier = UndoEarlierInjection(pod, original);

        // A copy: the templates are merged into the pod in place, and post-processing reads the annotations as they were.
        var annotations = PodJson.AnnotationsOrNull(pod)?.DeepClone() as JsonObject;
        var proxyConfig = ProxyConfigs.Effective(Settings.Mesh, annotations?[ProxyConfigs.Annotation]?.ToString());

        var userVolumes = Names(PodJson.Items(pod, "volumes"));
        var (injected, templatePod, goWritten) = MergeTemplates(pod, podNamespace, request, proxyConfig, warnings, ct);
        ct.ThrowIfCancellationRequested();
        var rendered = new Rendered(
            Names(PodJson.Items(templatePod, "containers", "initContainers")),
            Names(PodJson.Items(templatePod, "volumes")));
        RefuseForeignRecord(earlier, rendered);
        RefuseVolumeClash(userVolumes, rendered);
        using (InjectorTracing.Source.StartActivity("post-process"))
        {
            PostProcess(injected, templatePod, goWritten, rendered, earlier, proxyConfig, annotations, request);
        }

        return (injected, rendered);
    }

    private static HashSet<string> Names(PodJson.ObjectItems items)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (PodJson.Name(item) is { } name)
            {
                names.Add(name);
            }
        }

        return names;
    }

    /// <summary>What an earlier injection left: its record, the pod as the user wrote it, and the app probers it moved.</summary>
    /// <param name="Status">The earlier injection's record; null on a first injection.</param>
    /// <param name="UserPod">The pod before the earlier injection was undone.</param>
    /// <param name="Probers">The earlier proxy's <c>ISTIO_KUBE_APP_PROBERS</c>.</param>
    /// <param name="Prometheus">The earlier proxy's <c>ISTIO_PROMETHEUS_ANNOTATIONS</c>: the app's own scrape settings, which the pod's annotations no longer hold.</param>
    /// <param name="RemovedContainers">The containers the record named that were removed.</param>
    private sealed record Earlier(ReinjectionStrip.Status? Status, JsonObject UserPod, string? Probers, string? Prometheus, IReadOnlySet<string> RemovedContainers);

    /// <summary>
    /// Re-injection (spec §2.4): the containers, volumes and annotations an earlier injection recorded are removed and
    /// the recorded user overrides put back, so rendering again gives the same pod.
    /// </summary>
    /// <param name="pod">The working copy, changed in place.</param>
    /// <param name="original">The pod as submitted (read only).</param>
    private Earlier UndoEarlierInjection(JsonObject pod, JsonObject original)
    {
        var changed = Settings.IsOpenShift && OpenShiftUser.ClearSharedProxyUser(pod);
        var status = ReinjectionStrip.Read(pod);

        // The pod as the user wrote it is only read; a copy is needed only when stripping (or OpenShift) changes the working one.
        var userPod = status is null && !changed ? original : (JsonObject)pod.DeepClone();
        string? probers = null;
        string? prometheus = null;
        IReadOnlySet<string> removed = new HashSet<string>();
        if (status is not null)
        {
            var oldProxy = PodJson.Proxy(pod);
            probers = oldProxy is null ? null : Env.Value(oldProxy, ProbeRewrite.EnvName);
            prometheus = oldProxy is null ? null : Env.Value(oldProxy, PrometheusMerge.EnvName);
            removed = ReinjectionStrip.Apply(pod, status, MeshStatusPort);
        }

        UserOverrides.Restore(pod, userPod);
        return new Earlier(status, userPod, probers, prometheus, removed);
    }

    /// <summary>What the templates' merge gives.</summary>
    /// <param name="Pod">The merged pod.</param>
    /// <param name="TemplatePod">What the templates alone produce.</param>
    /// <param name="GoWritten">Items of <paramref name="Pod"/> already as Go writes them (see <see cref="GoRoundTrip.KeptList"/>).</param>
    private sealed record Merged(JsonObject Pod, JsonObject TemplatePod, IReadOnlyList<JsonNode> GoWritten);

    /// <summary>Renders each selected template and strategic-merges it into the pod and into the template-only pod.</summary>
    private Merged MergeTemplates(JsonObject pod, string podNamespace, InjectionRequest request, JsonObject proxyConfig, List<string> warnings, CancellationToken ct)
    {
        var annotations = PodJson.AnnotationsOrNull(pod);
        var native = annotations?["sidecar.istio.io/nativeSidecar"]?.ToString() switch
        {
            "true" => true,
            "false" => false,
            _ => Settings.NativeSidecars,
        };
        if (!native || !OnlyProxyContainer(pod))
        {
            return MergeTemplates(pod, podNamespace, request, proxyConfig, native, ct);
        }

        var merged = MergeTemplates((JsonObject)pod.DeepClone(), podNamespace, request, proxyConfig, native: true, ct);
        if (PodJson.Find(merged.TemplatePod, "initContainers", PodJson.ProxyContainer) is null)
        {
            // The templates keep the proxy a regular container (a gateway): nothing would move.
            return merged;
        }

        // Istio moves the pod's only container into initContainers and emits a pod without containers, which the
        // API server refuses; the proxy stays a regular container instead.
        warnings.Add("the pod's only container is istio-proxy: it stays a regular container (no native sidecar), since a pod needs at least one container");
        return MergeTemplates(pod, podNamespace, request, proxyConfig, native: false, ct);
    }

    private Merged MergeTemplates(JsonObject pod, string podNamespace, InjectionRequest request, JsonObject proxyConfig, bool native, CancellationToken ct)
    {
        var annotations = PodJson.AnnotationsOrNull(pod);

        var workload = request.Workload ?? PodOwner.Derive(pod, podNamespace);
        var proxyIds = Settings.IsOpenShift
            ? OpenShiftIds.Resolve(request.NamespaceAnnotations)
            : (OpenShiftIds.DefaultId, OpenShiftIds.DefaultId);
        var data = TemplateData.Build(pod, podNamespace, workload, Settings, proxyConfig, native, proxyIds);

        // What the templates alone produce. It and each rendered fragment may be shared with other injections (the
        // template set keeps outputs): they are read, never changed here; a merge copies what it takes.
        JsonObject? templatePod = null;
        var goWritten = new List<JsonNode>();
        var names = _templates.Select(annotations);
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            TemplateOutput output;
            using (InjectorTracing.Source.StartActivity("render")?.SetTag("injector.template", name))
            {
                output = _templates.Render(name, data, ct);
            }

            using (InjectorTracing.Source.StartActivity("merge")?.SetTag("injector.template", name))
            {
                var fragment = output.Fragment;
                if (templatePod is null)
                {
                    templatePod = output.Alone;
                }
                else
                {
                    if (native && FollowsNativeProxy(templatePod, fragment))
                    {
                        fragment = (JsonObject)fragment.DeepClone();
                        FollowNativeProxy(fragment);
                    }

                    templatePod = StrategicMerge.Apply(templatePod, fragment, MergeSchema.Pod);
                }

                MoveUserProxyToInit(pod, fragment);
                // The templates still to render read the pod as it came (data holds it): until the last, the merge
                // copies; the last merges into the pod itself, which this method owns.
                // The last also copies the parts the pod lacks from the output's memo: its kept lists of containers
                // and volumes are already as Go writes them, which post-processing then passes by (nothing changes
                // the pod in between). Earlier merges do not: a later template merges into what they give. An
                // output merged only this once (not kept) is merged without the memo.
                pod = i == names.Count - 1
                    ? StrategicMerge.ApplyInPlace(pod, fragment, MergeSchema.Pod, output.Kept && ReferenceEquals(fragment, output.Fragment) ? output.Memo : null, goWritten)
                    : StrategicMerge.Apply(pod, fragment, MergeSchema.Pod);
            }
        }

        return new Merged(pod, templatePod ?? [], goWritten);
    }

    /// <summary>Post-processing in Istio's order (spec §6.4): overrides, env order, Prometheus, probes, metadata, container order.</summary>
    /// <param name="pod">The merged pod, changed in place.</param>
    /// <param name="templatePod">What the templates alone produced.</param>
    /// <param name="goWritten">Items the merge copied already as Go writes them.</param>
    /// <param name="rendered">The names of the containers and volumes the templates produced.</param>
    /// <param name="earlier">What an earlier injection left.</param>
    /// <param name="proxyConfig">The effective ProxyConfig.</param>
    /// <param name="annotations">The pod's own annotations, as they were before the templates were merged.</param>
    /// <param name="request">The request (path env).</param>
    private void PostProcess(JsonObject pod, JsonObject templatePod, IReadOnlyList<JsonNode> goWritten, Rendered rendered, Earlier earlier, JsonObject proxyConfig, JsonObject? annotations, InjectionRequest request)
    {
        // Istio decodes the merged pod into corev1.Pod: what the templates wrote reaches the API server as Go writes it.
        GoRoundTrip.Injected(pod, templatePod, rendered.Containers, rendered.Volumes, goWritten);
        var overrides = UserOverrides.Collect(earlier.UserPod, templatePod, earlier.Status);
        UserOverrides.Apply(pod, overrides, record: !UserOverrides.IsRecorded(earlier.UserPod));
        var interceptionMode = annotations?["sidecar.istio.io/interceptionMode"]?.ToString() ?? proxyConfig["interceptionMode"]?.ToString();
        UserOverrides.AdjustRunAs(pod, overrides, tproxy: interceptionMode == "TPROXY");
        ResourceQuantities.CanonicalizeInjected(pod, rendered.Containers);

        var network = Settings.Values["global"]?["network"]?.ToString();
        var clusterName = Settings.Values["global"]?["multiCluster"]?["clusterName"]?.ToString();
        ClusterEnv.Apply(pod, request.PathEnv, clusterName, network);

        PrometheusMerge.Apply(pod, Settings.Mesh, MeshStatusPort, earlier.Prometheus);
        if (ProbeRewrite.Enabled(pod, Settings.Values))
        {
            var fromAnnotation = annotations?[StatusPortAnnotation]?.ToString() is { Length: > 0 } sp ? sp : null;
            var statusPort = int.TryParse(fromAnnotation ?? MeshStatusPort, out var port) ? port : 15020;
            var rewritten = ProbeRewrite.Apply(pod, statusPort, earlier.Probers);
            if (statusPort == 0 && rewritten > 0)
            {
                // Istio points the probes at port 0, which the API server refuses; say why and how to fix it instead.
                var source = fromAnnotation is null ? "meshConfig.defaultConfig.statusPort 0" : $"annotation '{StatusPortAnnotation}' value '0'";
                throw new InjectionException(
                    DenialReason.InvalidAnnotation,
                    $"{source} turns the agent's status server off, but {rewritten} app probe(s) would be rewritten to it; set '{ProbeRewrite.Annotation}: \"false\"' or a non-zero status port");
            }
        }

        PodMetadata.Apply(pod, templatePod, network, Settings.Revision, Settings.Config.InjectedAnnotations);
        ContainerOrder.Apply(pod, HoldApplication(proxyConfig));
    }

    private const string StatusPortAnnotation = "status.sidecar.istio.io/port";

    /// <summary>Names an injection of any configuration adds; a record listing them is an earlier injection's, even if the templates changed since.</summary>
    private static readonly HashSet<string> KnownInjectedContainers = new(StringComparer.Ordinal)
    {
        PodJson.ProxyContainer, PodJson.InitContainer, PodJson.ValidationContainer, "grpc-bootstrap-init",
    };

    /// <summary>
    /// A pod volume named like one the templates add would be merged into it (two sources, or a field that re-injection,
    /// which strips the injected volumes, then loses): the pod is denied, naming the volume.
    /// </summary>
    private static void RefuseVolumeClash(HashSet<string> userVolumes, Rendered rendered)
    {
        var clash = rendered.Volumes.Where(userVolumes.Contains).Order(StringComparer.Ordinal).ToList();
        if (clash.Count > 0)
        {
            throw new InjectionException(
                DenialReason.InvalidResult,
                $"injecting would produce an invalid pod: the pod's volume(s) {string.Join(", ", clash.Select(n => $"'{AnnotationValidation.Shown(n)}'"))} have the name of a volume the injector adds; rename them");
        }
    }

    /// <summary>
    /// A <c>sidecar.istio.io/status</c> that names the app's own containers (copied, hand-written) would have them
    /// stripped as if injected: Istio deletes them silently. Here the pod is denied, naming them.
    /// </summary>
    private static void RefuseForeignRecord(Earlier earlier, Rendered rendered)
    {
        var foreign = earlier.RemovedContainers.Where(n => !rendered.Containers.Contains(n) && !KnownInjectedContainers.Contains(n)).Order(StringComparer.Ordinal).ToList();
        if (foreign.Count > 0)
        {
            throw new InjectionException(
                DenialReason.InvalidAnnotation,
                $"annotation '{ReinjectionStrip.StatusAnnotation}' lists container(s) {string.Join(", ", foreign.Select(n => $"'{AnnotationValidation.Shown(n)}'"))}, which the injector does not add: re-injecting would delete them; remove the annotation from the pod");
        }
    }

    /// <summary>The agent's status port from the mesh config; Prometheus and re-injection compare against it.</summary>
    private string MeshStatusPort => Settings.Mesh["defaultConfig"]?["statusPort"]?.ToString() ?? "15020";

    /// <summary>The app waits for the proxy when the effective ProxyConfig or the values say so (spec §3.5).</summary>
    private bool HoldApplication(JsonObject proxyConfig) =>
        IsTrue(proxyConfig["holdApplicationUntilProxyStarts"]) || IsTrue(Settings.Values["global"]?["proxy"]?["holdApplicationUntilProxyStarts"]);

    private static bool IsTrue(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private static bool OnlyProxyContainer(JsonObject pod) =>
        PodJson.List(pod, "containers") is { Count: > 0 } containers && containers.All(c => PodJson.Name(c) == PodJson.ProxyContainer);

    /// <summary>
    /// A later template that adds to <c>containers[istio-proxy]</c> (a volume mount, say) when an earlier one made the
    /// proxy a native sidecar means that proxy: the entry moves to <c>initContainers</c>, as a user's own istio-proxy
    /// does. Istio merges it into <c>containers</c>, giving two containers of one name, which the API server refuses.
    /// </summary>
    private static bool FollowsNativeProxy(JsonObject templatePod, JsonObject fragment) =>
        PodJson.Find(templatePod, "initContainers", PodJson.ProxyContainer) is not null
        && PodJson.Find(fragment, "initContainers", PodJson.ProxyContainer) is null
        && PodJson.Find(fragment, "containers", PodJson.ProxyContainer) is not null;

    /// <summary>Moves the fragment's <c>containers[istio-proxy]</c> to its initContainers (a copy: <see cref="FollowsNativeProxy"/> said so).</summary>
    private static void FollowNativeProxy(JsonObject fragment)
    {
        var entry = PodJson.Find(fragment, "containers", PodJson.ProxyContainer)!;
        var spec = PodJson.Spec(fragment);
        var containers = (JsonArray)spec["containers"]!;
        containers.Remove(entry);
        if (containers.Count == 0)
        {
            spec.Remove("containers");
        }

        if (spec["initContainers"] is not JsonArray inits)
        {
            inits = [];
            spec["initContainers"] = inits;
        }

        inits.Add((JsonNode)entry);
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

        inits.Add((JsonNode)userProxy);
    }
}
