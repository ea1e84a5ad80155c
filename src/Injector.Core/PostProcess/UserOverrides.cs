using System.Text.Json;
using System.Text.Json.Nodes;
using Injector.Core.Config;
using Injector.Core.Kube;
using Injector.Core.Policy;
using Injector.Documents;

namespace Injector.Core.PostProcess;

/// <summary>
/// User overrides (spec §6.5): a pod's own definition of a container the templates produce (<c>istio-proxy</c>,
/// <c>istio-init</c> …) is merged back over the injected one, so user fields win; the definitions are recorded in
/// <c>proxy.istio.io/overrides</c> so that re-injection restores them.
/// </summary>
public static class UserOverrides
{
    public const string Annotation = "proxy.istio.io/overrides";

    /// <summary>The user's own containers, by the list the templates put them in.</summary>
    public sealed record Set(IReadOnlyList<JsonObject> Containers, IReadOnlyList<JsonObject> InitContainers)
    {
        public bool IsEmpty => Containers.Count == 0 && InitContainers.Count == 0;

        public JsonObject? Find(string name) =>
            InitContainers.Concat(Containers).FirstOrDefault(c => PodJson.Name(c) == name);
    }

    /// <summary>Re-injection: the recorded override containers go back into the stripped pod before rendering.</summary>
    /// <param name="pod">The pod with the earlier injection stripped, changed in place.</param>
    /// <param name="injectedPod">The pod as it came, before stripping: it tells whether a restored container had <c>resources</c>.</param>
    public static void Restore(JsonObject pod, JsonObject injectedPod)
    {
        if (Recorded(pod) is not { } recorded)
        {
            return;
        }

        foreach (var (field, containers) in new[] { ("containers", recorded["containers"]), ("initContainers", recorded["initContainers"]) })
        {
            foreach (var container in (containers as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                var name = PodJson.Name(container);
                if (name is null || PodJson.Find(pod, "containers", name) is not null || PodJson.Find(pod, "initContainers", name) is not null)
                {
                    continue;
                }

                if (PodJson.Spec(pod)[field] is not JsonArray list)
                {
                    list = [];
                    PodJson.Spec(pod)[field] = list;
                }

                var restored = (JsonObject)container.DeepClone();
                var before = PodJson.Find(injectedPod, "containers", name) ?? PodJson.Find(injectedPod, "initContainers", name);
                if (restored["resources"] is JsonObject { Count: 0 } && before is not null && !before.ContainsKey("resources"))
                {
                    // The record always carries resources (Go writes the struct); the container it came from had none.
                    restored.Remove("resources");
                }

                if (restored["image"] is null && before?["image"]?.ToString() == "auto")
                {
                    // The record leaves out image: auto (the injector's image); no template set one, so it stayed.
                    restored["image"] = "auto";
                }

                list.Add((JsonNode)restored);
            }
        }
    }

    /// <summary>
    /// For every container the templates produced, the user's definition: from the annotation, else from the pod as
    /// submitted. A container an earlier injection recorded in the same list (status annotation), and not in the
    /// overrides annotation, is not an override: the new template wins, so values such as ISTIO_META_APP_CONTAINERS
    /// are computed afresh.
    /// </summary>
    public static Set Collect(JsonObject userPod, JsonObject templatePod, ReinjectionStrip.Status? status)
    {
        var recorded = Recorded(userPod);
        JsonObject? Lookup(string name, bool init)
        {
            var fromAnnotation = (recorded?["initContainers"] as JsonArray ?? []).Concat(recorded?["containers"] as JsonArray ?? [])
                .OfType<JsonObject>().FirstOrDefault(c => PodJson.Name(c) == name);
            if (fromAnnotation is not null)
            {
                // Recorded overrides always apply, so re-injecting a pod with overrides changes nothing.
                return fromAnnotation;
            }

            // Either list: an earlier injection's proxy moves from containers to initContainers when native sidecars
            // come on, and is still that injection's, not the user's (Istio checks the same list only, so its output
            // keeps the old proxy and re-injecting it is not a no-op).
            if (status is not null && (status.InitContainers.Contains(name) || status.Containers.Contains(name)))
            {
                return null;
            }

            return init ? PodJson.Find(userPod, "initContainers", name) ?? PodJson.Find(userPod, "containers", name) : PodJson.Find(userPod, "containers", name);
        }

        List<JsonObject> Gather(string field, bool init) =>
        [
            .. PodJson.Items(templatePod, field)
                .Select(PodJson.Name).OfType<string>().Distinct()
                .Select(n => Lookup(n, init)).OfType<JsonObject>()
                .Select(c => Clean((JsonObject)c.DeepClone())),
        ];

        return new Set(Gather("containers", init: false), Gather("initContainers", init: true));
    }

    /// <summary>
    /// Whether the pod carries a usable record of overrides (re-injection then applies that record). An annotation
    /// without either list records nothing, and is written over.
    /// </summary>
    public static bool IsRecorded(JsonObject pod) => Recorded(pod) is { } record && (record["containers"] is JsonArray || record["initContainers"] is JsonArray);

    /// <summary>
    /// Merges each user definition over the injected container and, when the pod has no record yet, records them in the
    /// overrides annotation. Istio records only when the pod has no status annotation; a pod whose status names
    /// containers it does not have (copied, edited) then loses its overrides on the next pass, so the record is written
    /// whenever there is none.
    /// </summary>
    public static void Apply(JsonObject pod, Set overrides, bool record)
    {
        if (overrides.IsEmpty)
        {
            return;
        }

        foreach (var (field, containers) in new[] { ("containers", overrides.Containers), ("initContainers", overrides.InitContainers) })
        {
            foreach (var user in containers)
            {
                var name = PodJson.Name(user)!;
                var list = PodJson.Find(pod, field, name) is not null ? field : PodJson.Find(pod, "containers", name) is not null ? "containers" : "initContainers";
                var patch = new JsonObject { ["spec"] = new JsonObject { [list] = new JsonArray(user.DeepClone()) } };
                var merged = StrategicMerge.Apply(pod, patch, MergeSchema.Pod);
                pod["spec"] = merged["spec"]?.DeepClone();
            }
        }

        if (!record)
        {
            return;
        }

        var written = new JsonObject();
        if (overrides.Containers.Count > 0)
        {
            written["containers"] = new JsonArray([.. overrides.Containers.Select(c => (JsonNode)GoRoundTrip.InGoOrder(c, "Container"))]);
        }

        if (overrides.InitContainers.Count > 0)
        {
            written["initContainers"] = new JsonArray([.. overrides.InitContainers.Select(c => (JsonNode)GoRoundTrip.InGoOrder(c, "Container"))]);
        }

        PodJson.Annotations(pod)[Annotation] = CompactJson.Write(written);
    }

    /// <summary>
    /// The run-as rules: a user-set proxy user is kept out of iptables capture (<c>-u</c>), handed to the validation
    /// container, and forced to root under TPROXY.
    /// </summary>
    public static void AdjustRunAs(JsonObject pod, Set overrides, bool tproxy)
    {
        if (overrides.Find(PodJson.ProxyContainer)?["securityContext"] is not JsonObject userContext)
        {
            return;
        }

        var runAsUser = userContext["runAsUser"];
        var runAsGroup = userContext["runAsGroup"];
        if (runAsUser is null && runAsGroup is null)
        {
            return;
        }

        var proxy = PodJson.Proxy(pod);
        if (tproxy && proxy?["securityContext"] is JsonObject proxyContext)
        {
            proxyContext["runAsUser"] = 0;
        }
        else if (PodJson.Find(pod, "initContainers", PodJson.ValidationContainer) is { } validation)
        {
            var context = PodJson.Child(validation, "securityContext");
            if (runAsUser is not null)
            {
                context["runAsUser"] = runAsUser.DeepClone();
            }

            if (runAsGroup is not null)
            {
                context["runAsGroup"] = runAsGroup.DeepClone();
            }
        }

        if (runAsUser is JsonValue v && v.TryGetValue<long>(out var uid) && uid != 0)
        {
            var init = PodJson.Find(pod, "initContainers", PodJson.InitContainer) ?? PodJson.Find(pod, "initContainers", PodJson.ValidationContainer);
            if (init?["args"] is JsonArray args)
            {
                for (var i = 0; i < args.Count - 1; i++)
                {
                    if (args[i]?.ToString() == "-u")
                    {
                        args[i + 1] = uid.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
            }
        }
    }

    private static JsonObject? Recorded(JsonObject pod)
    {
        if (PodJson.AnnotationsOrNull(pod)?[Annotation]?.ToString() is not { Length: > 0 } text)
        {
            return null;
        }

        try
        {
            return StrictJson.Parse(text) as JsonObject;
        }
        catch (JsonException e)
        {
            throw new InjectionException(DenialReason.InvalidAnnotation, $"invalid value '{AnnotationValidation.Shown(text)}' for annotation '{Annotation}': {e.Message}", e);
        }
    }

    /// <summary>
    /// <c>image: auto</c> means "the injector's image"; quantities are written canonically as Go would. An empty
    /// <c>resources</c> merges nothing, and the recorded form always carries one (Go writes the struct), so it is dropped:
    /// otherwise re-injection would add <c>resources: {}</c> to a container that had none.
    /// </summary>
    private static JsonObject Clean(JsonObject container)
    {
        if (container["image"]?.ToString() == "auto")
        {
            container.Remove("image");
        }

        if (container["resources"] is JsonObject { Count: 0 })
        {
            container.Remove("resources");
        }

        ResourceQuantities.Canonicalize(container);
        return container;
    }
}
