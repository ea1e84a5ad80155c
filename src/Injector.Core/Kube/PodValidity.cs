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
        var problems = Problems(pod).Distinct(StringComparer.Ordinal).ToList();
        return ProblemList.Join(problems, problems.Count);
    }

    /// <summary>Every problem of one pod.</summary>
    public static IEnumerable<string> Problems(JsonObject pod)
    {
        var spec = pod["spec"] as JsonObject;
        var containers = Items(spec, "containers").ToList();
        if (containers.Count == 0)
        {
            yield return "spec.containers is empty (a sidecar.istio.io/status annotation that names the app's containers removes them)";
        }

        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var volumes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (volume, i) in Items(spec, "volumes").Select((v, i) => (v, i)))
        {
            var name = JsonText.Of(volume["name"]);
            if (name is not null && !volumes.Add(name))
            {
                yield return $"volume name '{Cut(name)}' is used twice";
            }

            var sources = volume.Where(kv => kv.Key != "name" && kv.Value is not null && VolumeSources.Contains(kv.Key)).Select(kv => kv.Key).ToList();
            if (sources.Count > 1)
            {
                yield return $"volume '{Cut(name ?? $"#{i}")}' has {sources.Count} sources ({string.Join(", ", sources)}): the pod's own volume of that name collides with one the injector adds";
            }
        }

        foreach (var field in new[] { "initContainers", "containers", "ephemeralContainers" })
        {
            foreach (var container in Items(spec, field))
            {
                var name = JsonText.Of(container["name"]) ?? "";
                if (names.TryGetValue(name, out var first))
                {
                    yield return $"container name '{Cut(name)}' is used twice (in {first} and {field})";
                }
                else
                {
                    names[name] = field;
                }

                foreach (var mount in Items(container, "volumeMounts"))
                {
                    if (JsonText.Of(mount["name"]) is { } volume && !volumes.Contains(volume))
                    {
                        yield return $"container '{Cut(name)}' mounts volume '{Cut(volume)}', which the pod does not have";
                    }
                }

                foreach (var port in Items(container, "ports"))
                {
                    if (JsonNumber.TryGetInt64(port["containerPort"], out var p) && p is < 1 or > 65535)
                    {
                        yield return $"container '{Cut(name)}' declares containerPort {p}, outside 1-65535";
                    }
                }

                foreach (var probe in new[] { "readinessProbe", "livenessProbe", "startupProbe" })
                {
                    foreach (var action in new[] { "httpGet", "tcpSocket", "grpc" })
                    {
                        if (JsonNumber.TryGetInt64(container[probe]?[action]?["port"], out var p) && p is < 1 or > 65535)
                        {
                            yield return $"container '{Cut(name)}' {probe}.{action}.port {p} is outside 1-65535";
                        }
                    }
                }
            }
        }
    }

    /// <summary>The keys of Go's VolumeSource: a volume may set exactly one of them.</summary>
    private static readonly HashSet<string> VolumeSources = new(PodSchema.Keys("VolumeSource"), StringComparer.Ordinal);

    private static IEnumerable<JsonObject> Items(JsonObject? parent, string field) => (parent?[field] as JsonArray)?.OfType<JsonObject>() ?? [];

    /// <summary>Names come from the pod: cut and stripped of control characters, as they go back to the user and into logs.</summary>
    private static string Cut(string text)
    {
        var clean = new string([.. text.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
        return text.Length > 64 ? clean + "…" : clean;
    }
}
