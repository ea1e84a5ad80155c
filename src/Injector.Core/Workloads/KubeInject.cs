using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Injector.Core.Policy;
using Injector.Documents;

namespace Injector.Core.Workloads;

/// <summary>What <see cref="KubeInject.Run"/> made of one input stream.</summary>
/// <param name="Output">The injected YAML; null when a document was denied.</param>
/// <param name="Warnings">Skips and soft problems, for stderr.</param>
/// <param name="Denial">Why the input was refused (the first denied document), with the object named in its message.</param>
public sealed record KubeInjectResult(string? Output, IReadOnlyList<string> Warnings, InjectionResult.Denied? Denial);

/// <summary>
/// Offline injection of workload YAML, as <c>istioctl kube-inject</c> does it (spec §7): every document is injected
/// in place and written back in Go's YAML style followed by <c>---</c>; kinds it does not handle pass through as they were written.
/// </summary>
public static partial class KubeInject
{
    /// <summary>Injects every document. Never throws: a bad document or a denied pod is the result's <see cref="KubeInjectResult.Denial"/>.</summary>
    public static KubeInjectResult Run(string input, IPodInjector injector, IReadOnlyDictionary<string, string>? namespaceAnnotations = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(injector);
        var output = new StringBuilder();
        var warnings = new List<string>();
        if (input.Length > YamlLimits.Document.MaxChars)
        {
            return Denied(DenialReason.LimitExceeded, $"the input is {input.Length} characters long, more than the limit of {YamlLimits.Document.MaxChars}", warnings);
        }

        var index = 0;
        foreach (var text in SplitDocuments(input))
        {
            index++;
            JsonNode? document;
            try
            {
                document = GoYaml.Parse(text, YamlLimits.Document);
            }
            catch (YamlFormatException e)
            {
                return Denied(DenialReason.InvalidDocument, $"document {index}: invalid YAML: {e.Message}", warnings);
            }

            if (document is null)
            {
                continue;
            }

            if (document is JsonObject obj && obj["kind"] is JsonValue kindValue && kindValue.TryGetValue<string>(out var kind)
                && (PodTemplateLocation.IsSupported(kind) || kind == "List"))
            {
                InjectionResult.Denied? denial;
                try
                {
                    denial = InjectObject(obj, injector, namespaceAnnotations, warnings, ct);
                }
                catch (InvalidOperationException e)
                {
                    // A JsonNode of the wrong type where the workload's structure needs a map (spec: "x").
                    denial = new InjectionResult.Denied(DenialReason.InvalidDocument, $"a field has the wrong type ({e.Message})", warnings);
                }

                if (denial is not null)
                {
                    return new KubeInjectResult(null, warnings, denial with { Message = $"document {index} ({Describe(obj)}): {denial.Message}" });
                }

                output.Append(GoYaml.Write(obj));
            }
            else
            {
                output.Append(text.Trim('\n')).Append('\n');
            }

            output.Append("---\n");
        }

        return new KubeInjectResult(output.ToString(), warnings, null);
    }

    private static KubeInjectResult Denied(DenialReason reason, string message, List<string> warnings) =>
        new(null, warnings, new InjectionResult.Denied(reason, message, warnings));

    private static InjectionResult.Denied? InjectObject(JsonObject document, IPodInjector injector, IReadOnlyDictionary<string, string>? namespaceAnnotations, List<string> warnings, CancellationToken ct)
    {
        var kind = document["kind"]!.GetValue<string>();
        if (WorkloadShape(document) is { } shape)
        {
            return new InjectionResult.Denied(DenialReason.InvalidDocument, shape, warnings);
        }

        if (kind == "List")
        {
            foreach (var item in (document["items"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if (item["kind"] is JsonValue k && k.TryGetValue<string>(out var itemKind) && PodTemplateLocation.IsSupported(itemKind)
                    && InjectObject(item, injector, namespaceAnnotations, warnings, ct) is { } denied)
                {
                    return denied with { Message = $"{Describe(item)}: {denied.Message}" };
                }
            }

            GoObjectDefaults.Apply(document);
            return null;
        }

        if (PodTemplateLocation.Find(document) is not { } location)
        {
            return null;
        }

        var name = StringAt(document["metadata"], "name");
        var ns = StringAt(document["metadata"], "namespace");
        var workload = kind == "Pod" ? null : new WorkloadIdentity(name, ns, kind, StringAt(document, "apiVersion"));
        var pod = location.ReadPod();
        if (kind == "Pod" && ns.Length > 0 && pod["metadata"] is JsonObject podMeta)
        {
            podMeta["namespace"] = ns;
        }

        var result = injector.Inject(new InjectionRequest(pod, ns, InjectionDoor.Cli, [], workload, namespaceAnnotations), ct);
        warnings.AddRange(result.Warnings);
        switch (result)
        {
            case InjectionResult.Denied denied:
                return denied;
            case InjectionResult.Skipped skipped:
                var why = skipped.Reason == SkipReason.HostNetwork ? "has host networking enabled" : "has sidecar injection disabled";
                var display = ns.Length > 0 ? $"{ns}/{name}" : name;
                warnings.Add($"===> Skipping injection because {kind} \"{display}\" {why}");
                break;
            case InjectionResult.Injected injected:
                location.WritePod(injected.Pod);
                break;
        }

        GoObjectDefaults.Apply(document);
        return null;
    }

    /// <summary>The maps kube-inject walks through to reach the pod template must be maps; null when they are.</summary>
    public static string? WorkloadShape(JsonObject document)
    {
        ArgumentNullException.ThrowIfNull(document);
        string? Want(JsonNode? node, string path) => node is null or JsonObject ? null : $"{path}: want a map, got {node.GetValueKind().ToString().ToLowerInvariant()}";
        if (document["kind"] is not JsonValue kindValue || !kindValue.TryGetValue<string>(out var kind))
        {
            return null;
        }

        if (kind == "List")
        {
            return document["items"] is null or JsonArray ? null : $"items: want a list, got {document["items"]!.GetValueKind().ToString().ToLowerInvariant()}";
        }

        return Want(document["metadata"], "metadata")
            ?? Want(document["spec"], "spec")
            ?? (kind == "CronJob"
                ? Want(document["spec"]?["jobTemplate"], "spec.jobTemplate")
                    ?? Want(document["spec"]?["jobTemplate"]?["metadata"], "spec.jobTemplate.metadata")
                    ?? Want(document["spec"]?["jobTemplate"]?["spec"], "spec.jobTemplate.spec")
                    ?? Want(document["spec"]?["jobTemplate"]?["spec"]?["template"], "spec.jobTemplate.spec.template")
                : kind == "Pod" ? null : Want(document["spec"]?["template"], "spec.template"));
    }

    private static string StringAt(JsonNode? node, string key) =>
        node is JsonObject obj && obj[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    /// <summary>"Deployment default/web", for messages; names are quoted by JSON rules so control characters cannot leak.</summary>
    private static string Describe(JsonObject document)
    {
        var kind = StringAt(document, "kind");
        var name = StringAt(document["metadata"], "name");
        var ns = StringAt(document["metadata"], "namespace");
        var who = ns.Length > 0 ? $"{ns}/{name}" : name;
        return who.Length == 0 ? kind : $"{kind} {Quote(who)}";
    }

    private static string Quote(string text) => JsonValue.Create(text.Length > 128 ? text[..128] + "…" : text).ToJsonString();

    /// <summary>Splits multi-document YAML on <c>---</c> separator lines, keeping each document's text.</summary>
    internal static IEnumerable<string> SplitDocuments(string input)
    {
        var parts = Separator().Split(input.Replace("\r\n", "\n", StringComparison.Ordinal));
        return parts.Where(p => p.Trim().Length > 0 && p.Split('\n').Any(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#')));
    }

    [GeneratedRegex(@"^---[ \t]*(?:#.*)?$", RegexOptions.Multiline)]
    private static partial Regex Separator();
}
