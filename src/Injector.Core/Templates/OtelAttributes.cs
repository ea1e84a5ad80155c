using System.Text.Json.Nodes;

namespace Injector.Core.Templates;

/// <summary>
/// <c>otelResourceAttributes</c>: OTEL_RESOURCE_ATTRIBUTES for OpenTelemetry semantic conventions, only when a mesh
/// OpenTelemetry provider asks for <c>OTEL_SEMANTIC_CONVENTIONS</c> enrichment.
/// </summary>
internal static class OtelAttributes
{
    /// <summary>Our form: <c>otelResourceAttributes .MeshConfig .ObjectMeta .Spec</c>.</summary>
    public static string Compute(JsonObject? mesh, JsonObject? meta, JsonObject? spec) => Compute(
        mesh,
        meta?["annotations"] as JsonObject,
        meta?["labels"] as JsonObject,
        meta?["namespace"]?.ToString(),
        spec?["containers"] as JsonArray);

    /// <summary>Whether a mesh OpenTelemetry provider asks for the attributes (nothing else of the mesh is read).</summary>
    public static bool Wanted(JsonObject? mesh) => (mesh?["extensionProviders"] as JsonArray ?? [])
        .Any(p => p?["opentelemetry"]?["serviceAttributeEnrichment"]?.ToString() == "OTEL_SEMANTIC_CONVENTIONS");

    /// <summary>Istio's form: <c>otelResourceAttributes .MeshConfig .ObjectMeta.Annotations .ObjectMeta.Labels .DeploymentMeta.Namespace .Spec.Containers</c>.</summary>
    public static string Compute(JsonObject? mesh, JsonObject? annotations, JsonObject? labels, string? podNamespace, JsonArray? containers)
    {
        if (!Wanted(mesh))
        {
            return "";
        }

        var ns = podNamespace is { Length: > 0 } n ? n : "default";
        var firstContainer = containers?.FirstOrDefault()?["name"]?.ToString() ?? "";
        string? Anno(string key) => annotations?[key]?.ToString() is { Length: > 0 } v ? v : null;

        var version = Anno("resource.opentelemetry.io/service.version")
            ?? labels?["service.istio.io/canonical-revision"]?.ToString()
            ?? labels?["app.kubernetes.io/version"]?.ToString()
            ?? labels?["version"]?.ToString()
            ?? "latest";
        var parts = new List<string>
        {
            $"service.namespace={Anno("resource.opentelemetry.io/service.namespace") ?? ns}",
            $"service.version={version}",
            $"service.instance.id={Anno("resource.opentelemetry.io/service.instance.id") ?? $"{ns}.$(POD_NAME).{firstContainer}"}",
        };
        return string.Join(',', parts);
    }
}
