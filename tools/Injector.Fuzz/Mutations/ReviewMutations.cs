using System.Text.Json.Nodes;
using Injector.Fuzz.Cases;

namespace Injector.Fuzz.Mutations;

/// <summary>Damage to the AdmissionReview around the pod: operation, kind, resource, apiVersion, uid, namespace.</summary>
internal static class ReviewMutations
{
    /// <summary>Typed fields of the request; a value of the wrong type there fails decoding, as in Istio (no uid comes back).</summary>
    private static readonly string[] TypedFields = ["uid", "kind", "resource", "operation", "namespace", "name", "dryRun", "userInfo", "subResource", "requestKind"];

    public static IEnumerable<Mutation> All()
    {
        yield return new Mutation("operation", 4, MutationStage.Tree, Operation);
        yield return new Mutation("not-a-pod", 4, MutationStage.Tree, NotAPod);
        yield return new Mutation("dry-run", 2, MutationStage.Tree, DryRun);
        yield return new Mutation("api-version", 4, MutationStage.Tree, ApiVersion);
        yield return new Mutation("review-field-retype", 4, MutationStage.Tree, ReviewFieldRetype);
        yield return new Mutation("uid-variant", 3, MutationStage.Tree, UidVariant);
        yield return new Mutation("namespace-mismatch", 3, MutationStage.Tree, NamespaceMismatch);
    }

    private static Applied? Operation(CaseDraft d, Random rng)
    {
        if (d.Request is not { } request)
        {
            return null;
        }

        var operation = rng.Pick(new[] { "UPDATE", "DELETE", "CONNECT", "create", "" });
        request["operation"] = operation;
        if (operation == "DELETE" && rng.Chance(0.5))
        {
            // As the API server sends a deletion: the old object, no new one.
            request["oldObject"] = request["object"]?.DeepClone();
            request["object"] = null;
            return new Applied("operation", "DELETE with oldObject and object null");
        }

        return new Applied("operation", $"operation {operation}");
    }

    private static Applied? NotAPod(CaseDraft d, Random rng)
    {
        if (d.Request is not { } request)
        {
            return null;
        }

        d.ExpectNoPatch = true;
        switch (rng.Next(4))
        {
            case 0:
                var kind = rng.Pick(new[] { "Secret", "Deployment", "pod", "ConfigMap" });
                request["kind"] = new JsonObject { ["group"] = kind == "Deployment" ? "apps" : "", ["version"] = "v1", ["kind"] = kind };
                return new Applied("not-a-pod", $"request.kind.kind {kind}");
            case 1:
                var resource = rng.Pick(new[] { "secrets", "deployments", "pods/status", "Pods" });
                request["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = resource };
                return new Applied("not-a-pod", $"request.resource.resource {resource}");
            default:
                var sub = rng.Pick(new[] { "status", "ephemeralcontainers", "binding", "exec" });
                request["subResource"] = sub;
                return new Applied("not-a-pod", $"subResource {sub}");
        }
    }

    private static Applied? DryRun(CaseDraft d, Random rng)
    {
        if (d.Request is not { } request)
        {
            return null;
        }

        request["dryRun"] = true;
        return new Applied("dry-run", "dryRun true");
    }

    private static Applied? ApiVersion(CaseDraft d, Random rng)
    {
        switch (rng.Next(6))
        {
            case 0 or 1:
                d.Review["apiVersion"] = "admission.k8s.io/v1beta1";
                return new Applied("api-v1beta1", "apiVersion admission.k8s.io/v1beta1");
            case 2:
                d.Decodable = false;
                var version = rng.Pick(new[] { "admission.k8s.io/v2", "v1", "", "ADMISSION.K8S.IO/V1", "admission.k8s.io/v1 " });
                d.Review["apiVersion"] = version;
                return new Applied("api-wrong", $"apiVersion \"{version}\"");
            case 3:
                d.Decodable = false;
                var kind = rng.Pick(new[] { "AdmissionRequest", "admissionreview", "", "Pod" });
                d.Review["kind"] = kind;
                return new Applied("api-wrong", $"review kind \"{kind}\"");
            case 4:
                d.Decodable = false;
                d.Review["apiVersion"] = rng.Chance(0.5) ? 1 : new JsonArray();
                return new Applied("api-wrong", "apiVersion not a string");
            default:
                d.Decodable = false;
                d.Review["response"] = new JsonObject { ["uid"] = d.Uid, ["allowed"] = true };
                d.Review.Remove("request");
                return new Applied("api-wrong", "a response instead of a request");
        }
    }

    private static Applied? ReviewFieldRetype(CaseDraft d, Random rng)
    {
        if (d.Request is not { } request)
        {
            return null;
        }

        // Conservative: a retyped typed field may or may not decode, so the uid is not checked.
        d.Decodable = false;
        if (rng.Chance(0.1))
        {
            var value = Values.OtherType(request, rng);
            d.Review["request"] = value;
            return new Applied("review-field-retype", $"/request = {Values.Describe(value)}");
        }

        var field = rng.Pick(TypedFields);
        var replacement = Values.OtherType(request[field], rng);
        request[field] = replacement;
        return new Applied("review-field-retype", $"/request/{field} = {Values.Describe(replacement)}");
    }

    /// <summary>Uids the server must echo byte for byte.</summary>
    private static Applied? UidVariant(CaseDraft d, Random rng)
    {
        if (d.Request is not { } request)
        {
            return null;
        }

        var uid = rng.Next(7) switch
        {
            0 => "",
            1 => new string('u', 10_000),
            2 => "ü-🦄-\u202e-字",
            3 => "a\nb\tc\u0000d\u001b",
            4 => "\"quoted\" \\ back</script>",
            5 => "../../../etc/passwd",
            _ => " ",
        };
        request["uid"] = uid;
        d.Uid = uid;
        return new Applied("uid-variant", $"uid {Values.Describe(uid)}");
    }

    private static Applied? NamespaceMismatch(CaseDraft d, Random rng)
    {
        if (d.Request is not { } request)
        {
            return null;
        }

        switch (rng.Next(4))
        {
            case 0:
                request["namespace"] = "other";
                return new Applied("namespace-mismatch", "request.namespace other than the pod's");
            case 1:
                (PodNav.Object(d.Pod, "metadata"))?.Remove("namespace");
                return new Applied("namespace-mismatch", "pod without metadata.namespace (request.namespace only)");
            case 2:
                request.Remove("namespace");
                (PodNav.Object(d.Pod, "metadata"))?.Remove("namespace");
                return new Applied("namespace-mismatch", "no namespace anywhere");
            default:
                var ns = rng.Pick(new[] { "kube-system", "istio-system", "kube-public", "" });
                request["namespace"] = ns;
                if (PodNav.Object(d.Pod, "metadata") is { } metadata)
                {
                    metadata["namespace"] = ns;
                }

                return new Applied("namespace-mismatch", $"namespace \"{ns}\"");
        }
    }
}
