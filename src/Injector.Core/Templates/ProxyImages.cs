using System.Text.Json.Nodes;

namespace Injector.Core.Templates;

/// <summary>Image resolution (spec §3.6): hub/name:tag with the image-type suffix, or an explicit image containing a '/'.</summary>
internal static class ProxyImages
{
    private static readonly string[] KnownTypeSuffixes = ["-distroless", "-debug"];

    public static (string Proxy, string Init) Resolve(JsonObject values, JsonObject? annotations, JsonObject proxyConfig)
    {
        var global = values["global"] as JsonObject;
        var hub = global?["hub"]?.ToString() ?? "";
        var tag = global?["tag"]?.ToString() ?? "";
        var variant = global?["variant"]?.ToString();
        var annotationImage = annotations?["sidecar.istio.io/proxyImage"]?.ToString();
        var annotationType = annotations?["sidecar.istio.io/proxyImageType"]?.ToString();
        var proxyName = global?["proxy"]?["image"]?.ToString() ?? "proxyv2";
        var initName = global?["proxy_init"]?["image"]?.ToString() ?? "proxyv2";

        var proxyType = First(annotationType, proxyConfig["image"]?["imageType"]?.ToString(), variant);
        var initType = First(annotationType, variant);

        return (
            Pick(annotationImage ?? proxyName, hub, proxyName, tag, proxyType),
            Pick(annotationImage ?? initName, hub, initName, tag, initType));
    }

    private static string Pick(string candidate, string hub, string name, string tag, string? type) =>
        candidate.Contains('/', StringComparison.Ordinal) ? candidate : $"{hub}/{name}:{AdjustTag(tag, type)}";

    private static string AdjustTag(string tag, string? type)
    {
        if (string.IsNullOrEmpty(type))
        {
            return tag;
        }

        foreach (var suffix in KnownTypeSuffixes)
        {
            if (tag.EndsWith(suffix, StringComparison.Ordinal))
            {
                tag = tag[..^suffix.Length];
            }
        }

        return type == "default" ? tag : $"{tag}-{type}";
    }

    private static string? First(params string?[] candidates) => candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c));
}
