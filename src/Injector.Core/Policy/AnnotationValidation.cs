using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Injector.Core.Config;
using Injector.Core.Kube;
using Injector.Documents;

namespace Injector.Core.Policy;

/// <summary>
/// Checks the annotations Istio validates before rendering (spec §4). Every failure is reported at once, each as
/// <c>invalid value 'V' for annotation 'NAME': REASON</c>; any failure denies the pod.
/// </summary>
public static class AnnotationValidation
{
    private delegate string? Check(string value);

    private static readonly Dictionary<string, Check> Checks = new(StringComparer.Ordinal)
    {
        ["sidecar.istio.io/interceptionMode"] = v => v is "REDIRECT" or "TPROXY" or "NONE" ? null : "interceptionMode: want REDIRECT, TPROXY or NONE",
        ["sidecar.istio.io/proxyCPU"] = QuantityCheck,
        ["sidecar.istio.io/proxyMemory"] = QuantityCheck,
        ["sidecar.istio.io/proxyCPULimit"] = QuantityCheck,
        ["sidecar.istio.io/proxyMemoryLimit"] = QuantityCheck,
        ["status.sidecar.istio.io/port"] = v => Port(v, allowZero: true, "statusPort"),
        ["readiness.status.sidecar.istio.io/initialDelaySeconds"] = UInt32Check,
        ["readiness.status.sidecar.istio.io/periodSeconds"] = UInt32Check,
        ["readiness.status.sidecar.istio.io/failureThreshold"] = UInt32Check,
        ["traffic.sidecar.istio.io/includeOutboundIPRanges"] = v => v.Trim() == "*" ? null : Cidrs(v, "includeIPRanges"),
        ["traffic.sidecar.istio.io/excludeOutboundIPRanges"] = v => Cidrs(v, "excludeIPRanges"),
        ["traffic.sidecar.istio.io/includeInboundPorts"] = v => v.Trim() == "*" ? null : Ports(v, "includeInboundPorts"),
        ["traffic.sidecar.istio.io/excludeInboundPorts"] = v => Ports(v, "excludeInboundPorts"),
        ["traffic.sidecar.istio.io/excludeOutboundPorts"] = v => Ports(v, "excludeOutboundPorts"),
        ["traffic.sidecar.istio.io/excludeInterfaces"] = v => Interfaces(v, "excludeInterfaces"),
        ["traffic.sidecar.istio.io/kubevirtInterfaces"] = v => Interfaces(v, "kubevirtInterfaces"),
        ["istio.io/reroute-virtual-interfaces"] = v => Interfaces(v, "rerouteVirtualInterfaces"),
        ["prometheus.istio.io/merge-metrics"] = v => GoBool.TryParse(v, out _) ? null : "want a boolean",
        [ProxyConfigs.Annotation] = ProxyConfigCheck,
        ["proxy.istio.io/overrides"] = OverridesCheck,
    };

    /// <summary>The joined failures, or null when every validated annotation is valid.</summary>
    public static string? Validate(JsonObject? annotations)
    {
        if (annotations is null)
        {
            return null;
        }

        var failures = new List<string>();
        foreach (var (name, node) in annotations.Pairs())
        {
            if (!Checks.TryGetValue(name, out var check))
            {
                continue;
            }

            var value = node?.ToString() ?? "";
            var reason = value.Any(char.IsControl) && name != ProxyConfigs.Annotation && name != "proxy.istio.io/overrides"
                ? "contains control characters"
                : check(value);
            if (reason is not null)
            {
                failures.Add($"invalid value '{Shown(value)}' for annotation '{name}': {reason}");
            }
        }

        return failures.Count == 0 ? null : string.Join("; ", failures);
    }

    /// <summary>Longest part of a value quoted in a denial; the rest is counted, not echoed (values go back to users and into logs).</summary>
    public const int MaxShown = 200;

    /// <summary>A value as a denial quotes it: control characters escaped (\n, \u0001), cut to <see cref="MaxShown"/> characters.</summary>
    public static string Shown(string value)
    {
        var cut = value.Length > MaxShown ? value[..MaxShown] : value;
        var text = new System.Text.StringBuilder(cut.Length);
        foreach (var c in cut)
        {
            text.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return value.Length > MaxShown ? $"{text}… ({value.Length} characters)" : text.ToString();
    }

    private static string? QuantityCheck(string v) => Quantity.Canonicalize(v) is null ? "not a resource quantity" : null;

    private static string? UInt32Check(string v) => uint.TryParse(v, out _) ? null : "want an unsigned 32-bit integer";

    private static string? Port(string v, bool allowZero, string what) =>
        ushort.TryParse(v.Trim(), out var p) && (allowZero || p > 0) ? null : $"{what}: '{v}' is not a valid port";

    private static string? Ports(string v, string what)
    {
        foreach (var part in v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!ushort.TryParse(part, out var p) || p == 0)
            {
                return $"{what}: '{part}' is not a valid port";
            }
        }

        return null;
    }

    private static string? Cidrs(string v, string what)
    {
        foreach (var part in v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!IPNetwork.TryParse(part, out _))
            {
                return $"{what}: '{part}' is not a valid CIDR";
            }
        }

        return null;
    }

    private static string? Interfaces(string v, string what)
    {
        foreach (var part in v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.Length > 15 || part.Any(c => char.IsWhiteSpace(c) || c == '/' || char.IsControl(c)))
            {
                return $"{what}: '{part}' is not a valid interface name";
            }
        }

        return null;
    }

    private static string? ProxyConfigCheck(string v)
    {
        try
        {
            ProxyConfigs.ParseAnnotation(v);
            return null;
        }
        catch (FormatException e)
        {
            return $"invalid ProxyConfig: {e.Message}";
        }
    }

    private static string? OverridesCheck(string v)
    {
        try
        {
            return StrictJson.Parse(v) is JsonObject ? null : "want a JSON object";
        }
        catch (JsonException e)
        {
            return $"invalid JSON: {e.Message}";
        }
    }
}

/// <summary>Go's strconv.ParseBool.</summary>
public static class GoBool
{
    public static bool TryParse(string? s, out bool value)
    {
        switch (s)
        {
            case "1" or "t" or "T" or "TRUE" or "true" or "True":
                value = true;
                return true;
            case "0" or "f" or "F" or "FALSE" or "false" or "False":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }
}
