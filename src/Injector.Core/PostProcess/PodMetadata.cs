using System.Text.Json.Nodes;
using Injector.Core.Config;
using Injector.Core.Kube;

namespace Injector.Core.PostProcess;

/// <summary>
/// The metadata step (spec §6.4 step 5): the network label, the <c>sidecar.istio.io/status</c> record of what the
/// templates added, then the configured <c>injectedAnnotations</c>.
/// </summary>
public static class PodMetadata
{
    public static void Apply(JsonObject pod, JsonObject templatePod, string? network, string revision, IReadOnlyDictionary<string, string> injectedAnnotations)
    {
        var labels = PodJson.Labels(pod);
        if (!string.IsNullOrEmpty(network) && !labels.ContainsKey("topology.istio.io/network"))
        {
            labels["topology.istio.io/network"] = network;
        }

        var status = new JsonObject
        {
            ["initContainers"] = Names(templatePod, "initContainers"),
            ["containers"] = Names(templatePod, "containers"),
            ["volumes"] = Names(templatePod, "volumes"),
            ["imagePullSecrets"] = Names(templatePod, "imagePullSecrets"),
            ["revision"] = revision,
        };
        var annotations = PodJson.Annotations(pod);
        annotations[ReinjectionStrip.StatusAnnotation] = CompactJson.Write(status);
        foreach (var (key, value) in injectedAnnotations)
        {
            annotations[key] = value;
        }
    }

    /// <summary>The names the templates put in a list, in order; null (not []) when there are none, as Istio writes it.</summary>
    private static JsonArray? Names(JsonObject templatePod, string field)
    {
        JsonArray? names = null;
        foreach (var item in PodJson.Items(templatePod, field))
        {
            if (PodJson.Name(item) is { } name)
            {
                (names ??= []).Add((JsonNode)name);
            }
        }

        return names;
    }
}
