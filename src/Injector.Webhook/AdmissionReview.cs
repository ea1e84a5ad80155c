using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Injector.Webhook;

/// <summary>
/// An <c>AdmissionReview</c> of <c>admission.k8s.io/v1</c> or <c>v1beta1</c> (both have the same shape).
/// The reviewed object is kept as raw JSON so fields this program does not know survive untouched.
/// </summary>
public sealed class AdmissionReview
{
    public const string ReviewKind = "AdmissionReview";
    public const string V1 = "admission.k8s.io/v1";
    public const string V1Beta1 = "admission.k8s.io/v1beta1";

    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public AdmissionRequest? Request { get; set; }

    public AdmissionResponse? Response { get; set; }
}

/// <summary>The request half of an <see cref="AdmissionReview"/>.</summary>
public sealed class AdmissionRequest
{
    public string? Uid { get; set; }

    public GroupVersionKind? Kind { get; set; }

    public GroupVersionResource? Resource { get; set; }

    public string? SubResource { get; set; }

    public GroupVersionKind? RequestKind { get; set; }

    public GroupVersionResource? RequestResource { get; set; }

    public string? RequestSubResource { get; set; }

    public string? Name { get; set; }

    public string? Namespace { get; set; }

    public string? Operation { get; set; }

    /// <summary>The requesting user, kept raw.</summary>
    public JsonNode? UserInfo { get; set; }

    /// <summary>The object under review, exactly as submitted (never a typed model).</summary>
    [JsonConverter(typeof(ReviewObjectConverter))]
    public JsonNode? Object { get; set; }

    public JsonNode? OldObject { get; set; }

    public bool? DryRun { get; set; }

    public JsonNode? Options { get; set; }
}

public sealed class GroupVersionKind
{
    public string? Group { get; set; }

    public string? Version { get; set; }

    public string? Kind { get; set; }
}

public sealed class GroupVersionResource
{
    public string? Group { get; set; }

    public string? Version { get; set; }

    public string? Resource { get; set; }
}

/// <summary>The response half of an <see cref="AdmissionReview"/>; build it with <see cref="AdmissionResponses"/>.</summary>
public sealed class AdmissionResponse
{
    public const string JsonPatchType = "JSONPatch";

    /// <summary>Always written, even when empty (as Kubernetes' Go type does).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Uid { get; set; } = "";

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public bool Allowed { get; set; }

    public AdmissionStatus? Status { get; set; }

    /// <summary>The RFC 6902 patch as UTF-8 JSON; serialised as base64.</summary>
    public byte[]? Patch { get; set; }

    public string? PatchType { get; set; }

    public IReadOnlyList<string>? Warnings { get; set; }

    public IReadOnlyDictionary<string, string>? AuditAnnotations { get; set; }
}

/// <summary>A <c>metav1.Status</c>: the reason a request was refused.</summary>
public sealed class AdmissionStatus
{
    /// <summary>Always <c>{}</c>, as Kubernetes writes it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public ListMeta Metadata { get; set; } = new();

    public string? Message { get; set; }

    public int? Code { get; set; }

    public string? Reason { get; set; }
}

/// <summary>An empty <c>metav1.ListMeta</c>.</summary>
public sealed class ListMeta;

/// <summary>Source-generated System.Text.Json metadata for the admission types: camelCase, nulls omitted.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AdmissionReview))]
[JsonSerializable(typeof(JsonNode))]
public sealed partial class AdmissionJsonContext : JsonSerializerContext;
