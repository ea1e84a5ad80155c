using System.Text.Json.Nodes;

namespace Injector.Core.Policy;

/// <summary>
/// Soft problems with a pod's annotations: nothing is denied, but the user is told (AdmissionResponse warnings,
/// which kubectl prints, and the CLI's stderr). Deprecated annotations, values that are ignored or that fall back
/// to a default.
/// </summary>
public static class AnnotationWarnings
{
    public static IEnumerable<string> Find(JsonObject? annotations, JsonObject? labels)
    {
        if (annotations is null)
        {
            yield break;
        }

        string? Value(string key) => annotations.TryGetPropertyValue(key, out var v) ? v?.ToString() ?? "" : null;

        if (Value(InjectionPolicy.InjectKey) is not null)
        {
            yield return labels?.ContainsKey(InjectionPolicy.InjectKey) == true
                ? $"annotation '{InjectionPolicy.InjectKey}' is ignored because the label of the same name is set"
                : $"annotation '{InjectionPolicy.InjectKey}' is deprecated; use the label '{InjectionPolicy.InjectKey}' (only the label selects pods for the webhook)";
        }

        if (Value("traffic.sidecar.istio.io/kubevirtInterfaces") is not null)
        {
            yield return Value("istio.io/reroute-virtual-interfaces") is not null
                ? "annotation 'traffic.sidecar.istio.io/kubevirtInterfaces' is ignored because 'istio.io/reroute-virtual-interfaces' is set"
                : "annotation 'traffic.sidecar.istio.io/kubevirtInterfaces' is deprecated; use 'istio.io/reroute-virtual-interfaces'";
        }

        if (Value("sidecar.istio.io/proxyImage") is { } image && !image.Contains('/', StringComparison.Ordinal))
        {
            yield return $"annotation 'sidecar.istio.io/proxyImage' value '{image}' is ignored: an image must contain '/' (use sidecar.istio.io/proxyImageType for a variant)";
        }

        if (Value("sidecar.istio.io/rewriteAppHTTPProbers") is { } rewrite && !GoBool.TryParse(rewrite, out _))
        {
            yield return $"annotation 'sidecar.istio.io/rewriteAppHTTPProbers' value '{rewrite}' is not a boolean; the configured default applies";
        }

        if (Value("sidecar.istio.io/nativeSidecar") is { } native && native is not ("true" or "false"))
        {
            yield return $"annotation 'sidecar.istio.io/nativeSidecar' value '{native}' is not \"true\" or \"false\"; it turns native sidecars on";
        }
    }
}
