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

    /// <summary>The decision for a pod, by the rules above.</summary>
    /// <param name="pod">The pod as submitted.</param>
    /// <param name="podNamespace">The namespace it is created in (the webhook door's system-namespace check).</param>
    /// <param name="config">The injector config (policy and selectors).</param>
    /// <param name="door">Webhook or CLI.</param>
    /// <param name="warnings">Where soft problems (an invalid inject label value) are added.</param>
    /// <param name="trace">When given (explain), each check made, in order, with what it found.</param>
    public static InjectionDecision Decide(JsonObject pod, string? podNamespace, InjectionConfig config, InjectionDoor door, ICollection<string> warnings, ICollection<ExplainStep>? trace = null)
    {
        if (pod["spec"]?["hostNetwork"] is JsonValue hn && hn.TryGetValue<bool>(out var hostNetwork) && hostNetwork)
        {
            trace?.Add(ExplainStep.Stop("host-network", "spec.hostNetwork is true: a host-network pod shares the node's network, which the proxy must not capture"));
            return InjectionDecision.Skipped(SkipReason.HostNetwork);
        }

        trace?.Add(ExplainStep.Pass("host-network", "spec.hostNetwork is not true"));

        // kube-inject checks the namespace the pod itself names (a Pod document's, or a template's, usually none); the
        // webhook the namespace the pod is created in.
        var systemNamespace = door == InjectionDoor.Webhook ? podNamespace : pod["metadata"]?["namespace"]?.ToString();
        if (systemNamespace is not null && SystemNamespaces.Contains(systemNamespace))
        {
            trace?.Add(ExplainStep.Stop("system-namespace", $"namespace \"{systemNamespace}\" is a system namespace ({string.Join(", ", SystemNamespaces)})"));
            return InjectionDecision.Skipped(SkipReason.SystemNamespace);
        }

        trace?.Add(ExplainStep.Pass("system-namespace", $"namespace \"{systemNamespace ?? ""}\" is not a system namespace"));

        var metadata = pod["metadata"] as JsonObject;
        var labels = metadata?["labels"] as JsonObject;
        var annotations = metadata?["annotations"] as JsonObject;

        // The label wins whenever it is present, even empty; only then is the deprecated annotation read.
        var fromLabel = labels?.ContainsKey(InjectKey) == true;
        var value = fromLabel ? labels![InjectKey]?.ToString() : annotations?[InjectKey]?.ToString();
        var source = fromLabel ? "label" : "annotation";
        switch (value)
        {
            case "true":
                trace?.Add(ExplainStep.Decide("inject-label", $"the pod's {source} {InjectKey} is \"true\""));
                return InjectionDecision.Injected(fromLabel ? SkipReason.LabelEnabled : SkipReason.AnnotationEnabled);
            case "false":
                trace?.Add(ExplainStep.Stop("inject-label", $"the pod's {source} {InjectKey} is \"false\""));
                return InjectionDecision.Skipped(fromLabel ? SkipReason.LabelDisabled : SkipReason.AnnotationDisabled);
            case null or "":
                trace?.Add(ExplainStep.Pass("inject-label", $"the pod has no {InjectKey} label or annotation"));
                break;
            default:
                warnings.Add($"invalid value '{value}' for {source} '{InjectKey}': want \"true\" or \"false\"; the default policy applies");
                trace?.Add(ExplainStep.Pass("inject-label", $"the pod's {source} {InjectKey} is '{value}', neither \"true\" nor \"false\": ignored"));
                break;
        }

        if (door == InjectionDoor.Cli)
        {
            trace?.Add(ExplainStep.Decide("policy", "kube-inject injects unless the pod opts out (no policy or selectors)"));
            return InjectionDecision.Injected(SkipReason.PolicyEnabled);
        }

        if (config.NeverInjectSelector.Any(s => LabelSelectors.Matches(s, labels, warnings)))
        {
            trace?.Add(ExplainStep.Stop("never-inject-selector", "a neverInjectSelector of the configuration matches the pod's labels"));
            return InjectionDecision.Skipped(SkipReason.NeverInjectSelector);
        }

        trace?.Add(ExplainStep.Pass("never-inject-selector", config.NeverInjectSelector.Count == 0 ? "the configuration has no neverInjectSelector" : "no neverInjectSelector matches the pod's labels"));
        if (config.AlwaysInjectSelector.Any(s => LabelSelectors.Matches(s, labels, warnings)))
        {
            trace?.Add(ExplainStep.Decide("always-inject-selector", "an alwaysInjectSelector of the configuration matches the pod's labels"));
            return InjectionDecision.Injected(SkipReason.AlwaysInjectSelector);
        }

        trace?.Add(ExplainStep.Pass("always-inject-selector", config.AlwaysInjectSelector.Count == 0 ? "the configuration has no alwaysInjectSelector" : "no alwaysInjectSelector matches the pod's labels"));
        var decision = config.Policy switch
        {
            "enabled" => InjectionDecision.Injected(SkipReason.PolicyEnabled),
            "disabled" => InjectionDecision.Skipped(SkipReason.PolicyDisabled),
            _ => InjectionDecision.Skipped(SkipReason.PolicyInvalid),
        };
        trace?.Add(decision.Inject
            ? ExplainStep.Decide("policy", $"the configuration's policy is \"{config.Policy}\"")
            : ExplainStep.Stop("policy", $"the configuration's policy is \"{config.Policy}\""));
        return decision;
    }
}
