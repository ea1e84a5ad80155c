using System.Text.Json.Nodes;
using Injector.Core.Kube;
using Injector.Core.Policy;
using Injector.Documents;

namespace Injector.Core.Explain;

/// <summary>Why a pod is or is not injected: every check in order, then the outcome the injector really gives.</summary>
/// <param name="Pod">The pod, as <c>namespace/name</c> (a workload's pod as <c>namespace/workload-</c>).</param>
/// <param name="Outcome"><c>injected</c>, <c>skipped</c>, <c>denied</c>, or <c>not-called</c> (the webhook's selectors do not send the pod).</param>
/// <param name="Reason">The named reason, the code logs and metrics use (<see cref="NotCalled"/> when not called).</param>
/// <param name="Message">A denial's message.</param>
/// <param name="Steps">The checks, in the order they are made.</param>
/// <param name="Templates">The templates rendered, when injected.</param>
/// <param name="Warnings">What the injection warns about (kubectl prints these).</param>
public sealed record Explanation(
    string Pod,
    string Outcome,
    string Reason,
    string? Message,
    IReadOnlyList<ExplainStep> Steps,
    IReadOnlyList<string> Templates,
    IReadOnlyList<string> Warnings)
{
    /// <summary>The reason when no webhook entry selects the pod: the injector never sees it.</summary>
    public const string NotCalled = "webhook-selectors";
}

/// <summary>
/// Explains one pod: the MutatingWebhookConfiguration's selectors (when given), then the injector's own checks
/// (<see cref="InjectionPolicy.Decide"/> traced), the revision, the templates, and the outcome of a real injection, so
/// the explanation never disagrees with what the webhook does.
/// </summary>
public static class InjectionExplainer
{
    public static Explanation Explain(
        PodInjector injector,
        JsonObject pod,
        string podNamespace,
        IReadOnlyDictionary<string, string> namespaceLabels,
        JsonObject? webhookConfiguration,
        IReadOnlyDictionary<string, string>? namespaceAnnotations = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(injector);
        ArgumentNullException.ThrowIfNull(pod);
        var steps = new List<ExplainStep>();
        var meta = pod["metadata"] as JsonObject;
        var name = $"{podNamespace}/{JsonText.Of(meta?["name"]) ?? JsonText.Of(meta?["generateName"])}";
        var labels = meta?["labels"] as JsonObject;

        if (webhookConfiguration is not null)
        {
            var configName = webhookConfiguration["metadata"]?["name"]?.ToString() ?? "the webhook configuration";
            var (matching, notMatching) = WebhookSelection.Evaluate(webhookConfiguration, podNamespace, namespaceLabels, labels);
            if (matching.Count == 0)
            {
                steps.Add(ExplainStep.Stop("webhook", $"no entry of {configName} sends the pod to the injector, so the API server creates it unchanged: {string.Join("; ", notMatching)}. To inject it, label the namespace istio-injection=enabled (or istio.io/rev=REVISION), or the pod sidecar.istio.io/inject=true"));
                return new Explanation(name, "not-called", Explanation.NotCalled, null, steps, [], []);
            }

            steps.Add(ExplainStep.Pass("webhook", $"entry {matching[0]} of {configName} sends the pod to the injector"));
        }

        var podRevision = JsonText.Of(labels?["istio.io/rev"]);
        namespaceLabels.TryGetValue("istio.io/rev", out var namespaceRevision);
        steps.Add(ExplainStep.Info("revision", $"this injector serves revision \"{injector.Settings.Revision}\"; the namespace asks for {Shown(namespaceRevision)}, the pod for {Shown(podRevision)} (the webhook configuration's selectors choose between revisions)"));

        InjectionPolicy.Decide(pod, podNamespace, injector.Settings.Config, InjectionDoor.Webhook, new List<string>(), steps);
        var result = injector.Inject(new InjectionRequest(pod, podNamespace, InjectionDoor.Webhook, [], null, namespaceAnnotations), cancellationToken);
        switch (result)
        {
            case InjectionResult.Injected injected:
                var templates = injector.SelectedTemplates(pod);
                var from = PodJson.AnnotationsOrNull(pod)?["inject.istio.io/templates"] is { } asked
                    ? $"the pod's inject.istio.io/templates annotation \"{asked}\""
                    : "the configuration's defaultTemplates";
                steps.Add(ExplainStep.Info("templates", $"{string.Join(", ", templates)}, from {from}"));
                steps.Add(ExplainStep.Info("patch", $"{injected.Patch.Count} JSON patch operation(s)"));
                return new Explanation(name, "injected", injected.Reason.Code, null, steps, templates, injected.Warnings);
            case InjectionResult.Skipped skipped:
                return new Explanation(name, "skipped", skipped.Reason.Code, null, steps, [], skipped.Warnings);
            case InjectionResult.Denied denied:
                steps.Add(ExplainStep.Stop(denied.Reason.Code, denied.Message));
                return new Explanation(name, "denied", denied.Reason.Code, denied.Message, steps, [], denied.Warnings);
            default:
                throw new InvalidOperationException($"unknown result {result.GetType().Name}");
        }
    }

    private static string Shown(string? revision) => revision is null ? "no revision" : $"\"{revision}\"";
}
