using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Injector.Fuzz.Cases;

/// <summary>AdmissionReview v1 requests as the API server sends them for a pod creation.</summary>
internal static class AdmissionReviews
{
    /// <summary>
    /// How review trees become text: non-ASCII as raw UTF-8 (so the server's UTF-8 decoding is exercised), control
    /// characters escaped; nesting is only ever made deep by splicing text, so the writer's depth is never the limit.
    /// </summary>
    public static readonly JsonSerializerOptions TextOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
        MaxDepth = 256,
    };

    public static JsonObject For(JsonObject pod, string uid)
    {
        var ns = pod["metadata"] is JsonObject metadata && metadata["namespace"] is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : "default";
        return new JsonObject
        {
            ["apiVersion"] = "admission.k8s.io/v1",
            ["kind"] = "AdmissionReview",
            ["request"] = new JsonObject
            {
                ["uid"] = uid,
                ["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
                ["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
                ["namespace"] = ns,
                ["operation"] = "CREATE",
                ["userInfo"] = new JsonObject { ["username"] = "system:serviceaccount:kube-system:replicaset-controller" },
                ["object"] = pod,
                ["dryRun"] = false,
            },
        };
    }

    /// <summary>A uid that looks like the API server's (a UUID), drawn from the case's RNG so a case always has the same one.</summary>
    public static string NewUid(Random rng)
    {
        var bytes = new byte[16];
        rng.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }
}
