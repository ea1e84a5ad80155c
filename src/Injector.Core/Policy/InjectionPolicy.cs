using System.Text.Json.Nodes;
using Injector.Core.Config;

namespace Injector.Core.Policy;

/// <summary>
/// Istio's injection decision inside the webhook (spec §2.2), in order: host network, system namespace, the
/// <c>sidecar.istio.io/inject</c> label then annotation, never/always selectors, then the policy. The namespace
/// labels are the MutatingWebhookConfiguration's business and are not looked at here.
/// The CLI (kube-inject) uses the same rules with the policy fixed to enabled and no selectors.
/// </summary>
public static class InjectionPolicy
{
    public const string InjectKey = "sidecar.istio.io/inject";

    /// <summary>Namespaces neither door injects into (Istio's IgnoredNamespaces).</summary>
    public static readonly IReadOnlySet<string> SystemNamespaces =
        new HashSet<string>(StringComparer.Ordinal) { "kube-system", "kube-public", "kube-node-lease", "local-path-storage" };

    public static InjectionDecision Decide(JsonObject pod, string? podNamespace, InjectionConfig config, InjectionDoor door, ICollection<string> warnings)
    {
        if (pod["spec"]?["hostNetwork"] is JsonValue hn && hn.TryGetValue<bool>(out var hostNetwork) && hostNetwork)
        {
            return InjectionDecision.Skipped(SkipReason.HostNetwork);
        }

        // kube-inject checks the namespace the pod itself names (a Pod document's, or a template's, usually none); the
        // webhook the namespace the pod is created in.
        var systemNamespace = door == InjectionDoor.Webhook ? podNamespace : pod["metadata"]?["namespace"]?.ToString();
        if (systemNamespace is not null && SystemNamespaces.Contains(systemNamespace))
        {
            return InjectionDecision.Skipped(SkipReason.SystemNamespace);
        }

        var metadata = pod["metadata"] as JsonObject;
        var labels = metadata?["labels"] as JsonObject;
        var annotations = metadata?["annotations"] as JsonObject;

        // The label wins whenever it is present, even empty; only then is the deprecated annotation read.
        var fromLabel = labels?.ContainsKey(InjectKey) == true;
        var value = fromLabel ? labels![InjectKey]?.ToString() : annotations?[InjectKey]?.ToString();
        switch (value)
        {
            case "true":
                return InjectionDecision.Injected(fromLabel ? SkipReason.LabelEnabled : SkipReason.AnnotationEnabled);
            case "false":
                return InjectionDecision.Skipped(fromLabel ? SkipReason.LabelDisabled : SkipReason.AnnotationDisabled);
            case null or "":
                break;
            default:
                warnings.Add($"invalid value '{value}' for {(fromLabel ? "label" : "annotation")} '{InjectKey}': want \"true\" or \"false\"; the default policy applies");
                break;
        }

        if (door == InjectionDoor.Cli)
        {
            return InjectionDecision.Injected(SkipReason.PolicyEnabled);
        }

        if (config.NeverInjectSelector.Any(s => LabelSelectors.Matches(s, labels, warnings)))
        {
            return InjectionDecision.Skipped(SkipReason.NeverInjectSelector);
        }

        if (config.AlwaysInjectSelector.Any(s => LabelSelectors.Matches(s, labels, warnings)))
        {
            return InjectionDecision.Injected(SkipReason.AlwaysInjectSelector);
        }

        return config.Policy switch
        {
            "enabled" => InjectionDecision.Injected(SkipReason.PolicyEnabled),
            "disabled" => InjectionDecision.Skipped(SkipReason.PolicyDisabled),
            _ => InjectionDecision.Skipped(SkipReason.PolicyInvalid),
        };
    }
}
