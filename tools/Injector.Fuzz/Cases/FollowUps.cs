using System.Text.Json.Nodes;

namespace Injector.Fuzz.Cases;

/// <summary>Requests made from an earlier answer.</summary>
internal static class FollowUps
{
    /// <summary>The pod as injected (the first answer's patch applied), in a fresh review: injecting it again must change nothing.</summary>
    public static FuzzCase Reinjection(FuzzCase first, JsonObject patchedPod)
    {
        var uid = (first.Uid is { Length: > 0 and < 200 } u ? u : "reinjection") + "-again";
        var review = AdmissionReviews.For((JsonObject)patchedPod.DeepClone(), uid);
        if (review["request"] is JsonObject request)
        {
            // The API server re-invokes with the request it had: the same namespace, even where the pod names none.
            if (first.RequestNamespace is null)
            {
                request.Remove("namespace");
            }
            else
            {
                request["namespace"] = first.RequestNamespace;
            }
        }

        return new FuzzCase
        {
            Index = first.Index,
            Mutation = first.Mutation,
            Seed = first.Seed,
            Description = first.Description + "; second pass on the injected pod",
            Body = new BytesBody(System.Text.Encoding.UTF8.GetBytes(review.ToJsonString(AdmissionReviews.TextOptions))),
            Decodable = true,
            Uid = uid,
            Pod = review["request"]?["object"] as JsonObject,
            ExpectNoop = true,
        };
    }
}
