using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Injector.Core.Policy;
using Injector.Documents;

namespace Injector.Core.Workloads;

/// <summary>
/// Offline injection of workload YAML, as <c>istioctl kube-inject</c> does it (spec §7): every document is injected
/// in place and written back in Go's YAML style followed by <c>---</c>; kinds it does not handle pass through as they were written.
/// </summary>
public static partial class KubeInject
{
    /// <summary>The output text and the warnings for stderr. Throws <see cref="InjectionException"/> when a pod is denied.</summary>
    public static (string Output, IReadOnlyList<string> Warnings) Run(string input, IPodInjector injector)
    {
        var output = new StringBuilder();
        var warnings = new List<string>();
        foreach (var text in SplitDocuments(input))
        {
            JsonNode? document;
            try
            {
                document = GoYaml.Parse(text);
            }
            catch (YamlFormatException e)
            {
                throw new InjectionException(DenialReason.InvalidDocument, $"invalid YAML document: {e.Message}", e);
            }

            if (document is null)
            {
                continue;
            }

            if (document is JsonObject obj && (PodTemplateLocation.IsSupported(obj["kind"]?.ToString()) || obj["kind"]?.ToString() == "List"))
            {
                InjectObject(obj, injector, warnings);
                output.Append(GoYaml.Write(obj));
            }
            else
            {
                output.Append(text.Trim('\n')).Append('\n');
            }

            output.Append("---\n");
        }

        return (output.ToString(), warnings);
    }

    private static void InjectObject(JsonObject document, IPodInjector injector, List<string> warnings)
    {
        var kind = document["kind"]?.ToString();
        if (kind == "List")
        {
            foreach (var item in (document["items"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if (PodTemplateLocation.IsSupported(item["kind"]?.ToString()))
                {
                    InjectObject(item, injector, warnings);
                }
            }

            GoObjectDefaults.Apply(document);
            return;
        }

        if (PodTemplateLocation.Find(document) is not { } location)
        {
            return;
        }

        var name = document["metadata"]?["name"]?.ToString() ?? "";
        var ns = document["metadata"]?["namespace"]?.ToString() ?? "";
        var workload = kind == "Pod" ? null : new WorkloadIdentity(name, ns, kind!, document["apiVersion"]?.ToString() ?? "");
        var pod = location.ReadPod();
        if (kind == "Pod" && ns.Length > 0 && pod["metadata"] is JsonObject podMeta)
        {
            podMeta["namespace"] = ns;
        }

        var result = injector.Inject(new InjectionRequest(pod, ns, InjectionDoor.Cli, [], workload));
        warnings.AddRange(result.Warnings);
        if (result.Error is { } error)
        {
            throw new InjectionException(result.Denial ?? DenialReason.InvalidAnnotation, error);
        }

        if (!result.Decision.Inject)
        {
            var why = result.Decision.Reason == SkipReason.HostNetwork ? "has host networking enabled" : "has sidecar injection disabled";
            var display = ns.Length > 0 ? $"{ns}/{name}" : name;
            warnings.Add($"===> Skipping injection because {kind} \"{display}\" {why}");
        }
        else if (result.Pod is { } injected)
        {
            location.WritePod(injected);
        }

        GoObjectDefaults.Apply(document);
    }

    /// <summary>Splits multi-document YAML on <c>---</c> separator lines, keeping each document's text.</summary>
    internal static IEnumerable<string> SplitDocuments(string input)
    {
        var parts = Separator().Split(input.Replace("\r\n", "\n", StringComparison.Ordinal));
        return parts.Where(p => p.Trim().Length > 0 && p.Split('\n').Any(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#')));
    }

    [GeneratedRegex(@"^---[ \t]*(?:#.*)?$", RegexOptions.Multiline)]
    private static partial Regex Separator();
}
