using System.Text.Json;
using System.Text.Json.Nodes;
using Injector.Core.Kube;

namespace Injector.Core.PostProcess;

/// <summary>
/// Undoes an earlier injection before rendering again (spec §2.4), so re-injecting an injected pod is a no-op: the
/// containers, init containers, volumes and pull secrets named in <c>sidecar.istio.io/status</c> are removed, the
/// status annotation goes, and so do the Prometheus annotations the injector wrote.
/// </summary>
public static class ReinjectionStrip
{
    public const string StatusAnnotation = "sidecar.istio.io/status";

    /// <summary>What an earlier injection recorded; null when the pod was not injected (or the record does not parse).</summary>
    public sealed record Status(IReadOnlySet<string> InitContainers, IReadOnlySet<string> Containers, IReadOnlySet<string> Volumes, IReadOnlySet<string> ImagePullSecrets);

    public static Status? Read(JsonObject pod)
    {
        if (PodJson.AnnotationsOrNull(pod)?[StatusAnnotation]?.ToString() is not { Length: > 0 } text)
        {
            return null;
        }

        try
        {
            if (StrictJson.Parse(text) is not JsonObject status)
            {
                return null;
            }

            return new Status(Names(status["initContainers"]), Names(status["containers"]), Names(status["volumes"]), Names(status["imagePullSecrets"]));
        }
        catch (JsonException)
        {
            // Istio logs a status it cannot parse and strips nothing.
            return null;
        }
    }

    /// <summary>Removes what the record names; returns the names of the containers actually removed.</summary>
    public static IReadOnlySet<string> Apply(JsonObject pod, Status status, string statusPort)
    {
        var spec = PodJson.Spec(pod);
        var allContainers = new HashSet<string>(status.Containers.Concat(status.InitContainers), StringComparer.Ordinal);
        var removed = new HashSet<string>(
            PodJson.Items(pod, "containers", "initContainers").Select(PodJson.Name).OfType<string>().Where(allContainers.Contains),
            StringComparer.Ordinal);
        PodJson.RemoveNamed(spec, "containers", allContainers);
        PodJson.RemoveNamed(spec, "initContainers", allContainers);
        PodJson.RemoveNamed(spec, "volumes", status.Volumes);
        PodJson.RemoveNamed(spec, "imagePullSecrets", status.ImagePullSecrets);

        var annotations = PodJson.Annotations(pod);
        annotations.Remove(StatusAnnotation);
        if (annotations["prometheus.io/port"]?.ToString() == statusPort)
        {
            foreach (var key in annotations.Select(kv => kv.Key).Where(k => PrometheusMerge.IsPrometheusKey(k)).ToList())
            {
                annotations.Remove(key);
            }
        }

        return removed;
    }

    private static HashSet<string> Names(JsonNode? list) =>
        new((list as JsonArray)?.Select(n => n?.ToString()).OfType<string>() ?? [], StringComparer.Ordinal);
}
