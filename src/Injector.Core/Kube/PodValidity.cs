using System.Text.Json.Nodes;
using Injector.Documents;

namespace Injector.Core.Kube;

/// <summary>
/// The checks the API server makes that an injection can break: unique container names (across containers, init and
/// ephemeral containers), unique volume names, one source per volume, every mount naming a volume, ports in range,
/// at least one container. A pod is checked as submitted (and refused when invalid) and again once injected, so any
/// problem of the result is one the injection made.
/// </summary>
public static class PodValidity
{
    /// <summary>The problems of a pod, joined (at most five named, with the count of the rest); null when there are none.</summary>
    public static string? Check(JsonObject pod)
    {
        List<string>? problems = null;
        Collect(pod, ref problems, firstOnly: false);
        if (problems is null)
        {
            return null;
        }

        var distinct = problems.Count == 1 ? problems : problems.Distinct(StringComparer.Ordinal).ToList();
        return ProblemList.Join(distinct, distinct.Count);
    }

    /// <summary>The first problem of a pod, or null (the checks stop there).</summary>
    public static string? First(JsonObject pod)
    {
        List<string>? problems = null;
        Collect(pod, ref problems, firstOnly: true);
        return problems?[0];
    }

    /// <summary>Every problem of one pod, in the order the checks find them.</summary>
    public static IReadOnlyList<string> Problems(JsonObject pod)
    {
        List<string>? problems = null;
        Collect(pod, ref problems, firstOnly: false);
        return problems ?? [];
    }

    /// <summary>
    /// The checks, in their order, by position (the pod is checked twice per injection; enumerators and closures were
    /// a measurable part of it). With <paramref name="firstOnly"/>, they stop at the first problem.
    /// </summary>
    private static void Collect(JsonObject pod, ref List<string>? problems, bool firstOnly)
    {
        if (PodJson.Items(pod, "containers").IsEmpty
            && Add(ref problems, "spec.containers is empty (a sidecar.istio.io/status annotation that names the app's containers removes them)", firstOnly))
        {
            return;
        }

        HashSet<string>? volumes = null;
        var i = 0;
        foreach (var volume in PodJson.Items(pod, "volumes"))
        {
            var name = JsonText.Of(volume["name"]);
            if (name is not null && !(volumes ??= new HashSet<string>(StringComparer.Ordinal)).Add(name)
                && Add(ref problems, $"volume name '{Cut(name)}' is used twice", firstOnly))
            {
                return;
            }

            if (SourcesWhenMany(volume) is { } sources
                && Add(ref problems, $"volume '{Cut(name ?? $"#{i}")}' has {sources.Count} sources ({string.Join(", ", sources)}): the pod's own volume of that name collides with one the injector adds", firstOnly))
            {
                return;
            }

            i++;
        }

        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in ContainerFields)
        {
            foreach (var container in PodJson.Items(pod, field))
            {
                var name = JsonText.Of(container["name"]) ?? "";
                if (names.TryAdd(name, field) is false
                    && Add(ref problems, $"container name '{Cut(name)}' is used twice (in {names[name]} and {field})", firstOnly))
                {
                    return;
                }

                foreach (var mount in PodJson.Maps(container["volumeMounts"] as JsonArray))
                {
                    if (JsonText.Of(mount["name"]) is { } volume && volumes?.Contains(volume) != true
                        && Add(ref problems, $"container '{Cut(name)}' mounts volume '{Cut(volume)}', which the pod does not have", firstOnly))
                    {
                        return;
                    }
                }

                foreach (var port in PodJson.Maps(container["ports"] as JsonArray))
                {
                    if (JsonNumber.TryGetInt64(port["containerPort"], out var number) && number is < 1 or > 65535
                        && Add(ref problems, $"container '{Cut(name)}' declares containerPort {number}, outside 1-65535", firstOnly))
                    {
                        return;
                    }
                }

                foreach (var probe in ProbeFields)
                {
                    foreach (var action in ProbeActions)
                    {
                        if (JsonNumber.TryGetInt64(container[probe]?[action]?["port"], out var number) && number is < 1 or > 65535
                            && Add(ref problems, $"container '{Cut(name)}' {probe}.{action}.port {number} is outside 1-65535", firstOnly))
                        {
                            return;
                        }
                    }
                }
            }
        }
    }

    private static readonly string[] ContainerFields = ["initContainers", "containers", "ephemeralContainers"];

    private static readonly string[] ProbeFields = ["readinessProbe", "livenessProbe", "startupProbe"];

    private static readonly string[] ProbeActions = ["httpGet", "tcpSocket", "grpc"];

    /// <summary>Adds a problem; true when the checks stop here.</summary>
    private static bool Add(ref List<string>? problems, string problem, bool firstOnly)
    {
        (problems ??= []).Add(problem);
        return firstOnly;
    }

    /// <summary>The volume sources a volume sets, in its order, when it sets more than one; null otherwise (no list is made for the usual one).</summary>
    private static List<string>? SourcesWhenMany(JsonObject volume)
    {
        string? first = null;
        List<string>? more = null;
        foreach (var (key, value) in volume.Pairs())
        {
            if (key != "name" && value is not null && VolumeSources.Contains(key))
            {
                if (first is null)
                {
                    first = key;
                }
                else
                {
                    (more ??= [first]).Add(key);
                }
            }
        }

        return more;
    }

    /// <summary>The keys of Go's VolumeSource: a volume may set exactly one of them.</summary>
    private static readonly HashSet<string> VolumeSources = new(PodSchema.Keys("VolumeSource"), StringComparer.Ordinal);

    /// <summary>Names come from the pod: cut and stripped of control characters, as they go back to the user and into logs.</summary>
    private static string Cut(string text)
    {
        var clean = new string([.. text.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
        return text.Length > 64 ? clean + "…" : clean;
    }
}
