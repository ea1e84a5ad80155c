using System.Text.Json.Nodes;

namespace Injector.Conformance.Tests;

/// <summary>AdmissionReviews as the API server sends them for a pod's creation.</summary>
internal static class AdmissionReviews
{
    /// <summary>A v1 review of <paramref name="pod"/> (copied); <c>dryRun</c> is sent only when true.</summary>
    public static JsonObject Of(JsonObject pod, string uid, string @namespace, bool dryRun = false)
    {
        var request = new JsonObject
        {
            ["uid"] = uid,
            ["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
            ["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
            ["namespace"] = @namespace,
            ["operation"] = "CREATE",
            ["object"] = pod.DeepClone(),
        };
        if (dryRun)
        {
            request["dryRun"] = true;
        }

        return new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["request"] = request };
    }
}
