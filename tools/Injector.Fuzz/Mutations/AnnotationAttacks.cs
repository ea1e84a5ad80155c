using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Injector.Fuzz.Cases;

namespace Injector.Fuzz.Mutations;

/// <summary>
/// Annotations aimed at the parsers behind them: the proxy config's YAML (deep flow nesting, alias bombs), the
/// status, overrides and user-volume JSON, the traffic port and CIDR lists, quantities, values with control characters.
/// </summary>
internal static class AnnotationAttacks
{
    public const string ProxyConfig = "proxy.istio.io/config";

    /// <summary>Annotations the injector or its templates read.</summary>
    public static readonly string[] KnownAnnotations =
    [
        ProxyConfig, "proxy.istio.io/overrides", "sidecar.istio.io/status", "sidecar.istio.io/inject", "sidecar.istio.io/proxyImage",
        "sidecar.istio.io/proxyImageType", "sidecar.istio.io/proxyCPU", "sidecar.istio.io/proxyCPULimit", "sidecar.istio.io/proxyMemory",
        "sidecar.istio.io/proxyMemoryLimit", "sidecar.istio.io/interceptionMode", "sidecar.istio.io/rewriteAppHTTPProbers",
        "sidecar.istio.io/nativeSidecar", "sidecar.istio.io/logLevel", "sidecar.istio.io/componentLogLevel", "sidecar.istio.io/agentLogLevel",
        "sidecar.istio.io/bootstrapOverride", "sidecar.istio.io/userVolume", "sidecar.istio.io/userVolumeMount", "sidecar.istio.io/capNetBindService",
        "status.sidecar.istio.io/port", "readiness.status.sidecar.istio.io/periodSeconds", "readiness.status.sidecar.istio.io/initialDelaySeconds",
        "readiness.status.sidecar.istio.io/failureThreshold", "traffic.sidecar.istio.io/includeOutboundIPRanges",
        "traffic.sidecar.istio.io/excludeOutboundIPRanges", "traffic.sidecar.istio.io/includeInboundPorts", "traffic.sidecar.istio.io/excludeInboundPorts",
        "traffic.sidecar.istio.io/includeOutboundPorts", "traffic.sidecar.istio.io/excludeOutboundPorts", "traffic.sidecar.istio.io/excludeInterfaces",
        "traffic.sidecar.istio.io/kubevirtInterfaces", "istio.io/reroute-virtual-interfaces", "inject.istio.io/templates", "prometheus.io/scrape",
        "prometheus.io/port", "prometheus.io/path", "prometheus.istio.io/merge-metrics", "k8s.v1.cni.cncf.io/networks", "topology.istio.io/network",
    ];

    private static readonly string[] TrafficAnnotations = [.. KnownAnnotations.Where(a => a.StartsWith("traffic.", StringComparison.Ordinal)), "istio.io/reroute-virtual-interfaces"];

    /// <summary>Annotations parsed as YAML or JSON, besides the proxy config.</summary>
    private static readonly string[] StructuredAnnotations =
    [
        "sidecar.istio.io/userVolume", "sidecar.istio.io/userVolumeMount", "sidecar.istio.io/bootstrapOverride", "k8s.v1.cni.cncf.io/networks",
        "proxy.istio.io/overrides", "sidecar.istio.io/status", "inject.istio.io/templates", "prometheus.istio.io/scrape-targets",
    ];

    private static readonly string[] Garbage =
    [
        "", " ", "-1", "0", "99999999999999999999", "abc", "1e400", "0x10", "NaN", "{", "[", "null", "true", "*", ",,,", "1,,2", "1Gi", "-1Gi",
        "1e9m", "9223372036854775807Ei", "0.0000000000000000000000001", "100m100m", "\u0000", "🦄", "{\"a\":", "[1,2", "a: b: c", "- - -", "&a *a",
        "!!binary AAAA", "!!python/object:os.system", "%YAML 1.1\n---\n", "---\n---\n", "? complex\n: key", "'unterminated", "\"\\u", "\t\t",
        "10.0.0.0/33", "::/129", "300.1.1.1/8", "fe80::1%eth0/64", "*,10.0.0.0/8", "1.2.3.4/", "65536", "1-", "80-90", "a,b", " 80 , 443 ", "80\n443",
    ];

    public static IEnumerable<Mutation> All()
    {
        yield return new Mutation("proxy-config", 10, MutationStage.Tree, ProxyConfigAttack);
        yield return new Mutation("structured-annotation", 4, MutationStage.Tree, StructuredAnnotationAttack);
        yield return new Mutation("status-annotation", 6, MutationStage.Tree, StatusAnnotation);
        yield return new Mutation("status-port", 4, MutationStage.Tree, StatusPort);
        yield return new Mutation("overrides-garbage", 6, MutationStage.Tree, OverridesGarbage);
        yield return new Mutation("traffic-garbage", 8, MutationStage.Tree, TrafficGarbage);
        yield return new Mutation("annotation-garbage", 10, MutationStage.Tree, AnnotationGarbage);
        yield return new Mutation("control-chars", 6, MutationStage.Tree, ControlChars);
    }

    /// <summary><c>{a: {a: … 1}}</c>, <paramref name="depth"/> flow maps deep.</summary>
    public static string NestedFlowMaps(int depth)
    {
        var text = new StringBuilder(depth * 5);
        text.Insert(0, "{a: ", depth).Append('1').Append('}', depth);
        return text.ToString();
    }

    /// <summary><c>[[[…]]]</c>, <paramref name="depth"/> flow sequences deep (YAML and JSON alike).</summary>
    public static string NestedFlowSeqs(int depth) => new string('[', depth) + new string(']', depth);

    /// <summary>The billion laughs: each level an anchor over ten aliases of the one before, <c>10^levels</c> leaves when expanded.</summary>
    public static string AliasBomb(int levels, string? underKey = null)
    {
        var text = new StringBuilder();
        text.Append("a0: &a0 [").AppendJoin(',', Enumerable.Repeat("\"lol\"", 10)).Append("]\n");
        for (var level = 1; level <= levels; level++)
        {
            var previous = "*a" + (level - 1).ToString(CultureInfo.InvariantCulture);
            text.Append('a').Append(level).Append(": &a").Append(level).Append(" [").AppendJoin(',', Enumerable.Repeat(previous, 10)).Append("]\n");
        }

        if (underKey is not null)
        {
            text.Append(underKey).Append(": *a").Append(levels).Append('\n');
        }

        return text.ToString();
    }

    private static Applied? ProxyConfigAttack(CaseDraft d, Random rng)
    {
        if (PodNav.Annotations(d.Pod) is not { } annotations)
        {
            return null;
        }

        var (name, value, detail) = YamlPayload(rng, forProxyConfig: true);
        annotations[ProxyConfig] = value;
        return new Applied("proxy-config-" + name, $"{ProxyConfig}: {detail}");
    }

    private static Applied? StructuredAnnotationAttack(CaseDraft d, Random rng)
    {
        if (PodNav.Annotations(d.Pod) is not { } annotations)
        {
            return null;
        }

        var key = rng.Pick(StructuredAnnotations);
        var (name, value, detail) = YamlPayload(rng, forProxyConfig: false);
        annotations[key] = value;
        return new Applied("structured-annotation-" + name, $"{key}: {detail}");
    }

    private static (string Name, string Value, string Detail) YamlPayload(Random rng, bool forProxyConfig)
    {
        switch (rng.Next(forProxyConfig ? 5 : 4))
        {
            case 0:
                return ("nested-map", NestedFlowMaps(20_000), "{a: {a: …}} 20,000 deep");
            case 1:
                return ("nested-seq", NestedFlowSeqs(50_000), "[[[…]]] 50,000 deep");
            case 2:
                var levels = rng.Next(7, 10);
                var key = forProxyConfig && rng.Chance(0.5) ? rng.Pick(new[] { "proxyMetadata", "concurrency", "tracing", "drainDuration" }) : null;
                return ("alias-bomb", AliasBomb(levels, key), $"alias bomb, {levels} levels of ×10{(key is null ? "" : $", expanded under {key}")}");
            case 3:
                var garbage = rng.Pick(Garbage);
                return ("garbage", garbage, $"{Values.Describe(garbage)}");
            default:
                var field = rng.Pick(new[]
                {
                    "concurrency: abc", "holdApplicationUntilProxyStarts: maybe", "drainDuration: -1s", "proxyMetadata: [1, 2]",
                    "terminationDrainDuration: 99999999999999999999h", "proxyMetadata: {A: {B: C}}", "discoveryAddress: 5", "tracing: {zipkin: 1}",
                    "image: {imageType: [x]}", "proxyStatsMatcher: {inclusionRegexps: ['(']}", "readinessProbe: {httpGet: {port: -1}}",
                    "envoyMetricsService: {address: ''}", "statusPort: 70000", "interceptionMode: CARRIER_PIGEON", "{}: {}",
                });
                return ("bad-field", field, field);
        }
    }

    /// <summary>A status annotation as if the pod were already injected, with random (and random-typed) content.</summary>
    private static Applied? StatusAnnotation(CaseDraft d, Random rng)
    {
        if (PodNav.Annotations(d.Pod) is not { } annotations)
        {
            return null;
        }

        var names = PodNav.ContainerNames(d.Pod);
        JsonNode NameList()
        {
            var list = new JsonArray();
            foreach (var name in names.Where(_ => rng.Chance(0.5)).Append(rng.Pick(new[] { "istio-proxy", "istio-init", "istio-validation" })))
            {
                list.Add(name);
            }

            return list;
        }

        string value;
        if (rng.Chance(0.2))
        {
            value = rng.Pick(new[] { "{", "null", "[]", "1", "\"x\"", "", "{\"containers\":", "not json", "{\"containers\":[\"a\"],\"containers\":7}" });
        }
        else
        {
            var status = new JsonObject
            {
                ["initContainers"] = rng.Chance(0.8) ? NameList() : Values.OtherType(new JsonArray(), rng),
                ["containers"] = rng.Chance(0.8) ? NameList() : Values.OtherType(new JsonArray(), rng),
                ["volumes"] = new JsonArray("istio-envoy", "istio-data", "workload-socket"),
                ["imagePullSecrets"] = rng.Chance(0.5) ? null : new JsonArray("pull-secret"),
                ["revision"] = rng.Pick(new[] { "default", "canary", "" }),
            };
            if (rng.Chance(0.3))
            {
                status["extra"] = new JsonObject { ["deep"] = new JsonArray(1, 2, 3) };
            }

            value = status.ToJsonString();
        }

        annotations["sidecar.istio.io/status"] = value;
        return new Applied("status-annotation", $"sidecar.istio.io/status {Values.Describe(value)}");
    }

    private static Applied? StatusPort(CaseDraft d, Random rng)
    {
        if (PodNav.Annotations(d.Pod) is not { } annotations)
        {
            return null;
        }

        var port = rng.Pick(new[] { "0", "-1", "70000", "abc", "", " 15020", "15020.5", "1e3", "99999999999999999999", "0x3aac", "65535", "1" });
        annotations["status.sidecar.istio.io/port"] = port;
        if (rng.Chance(0.3))
        {
            annotations[rng.Pick(new[] { "readiness.status.sidecar.istio.io/periodSeconds", "readiness.status.sidecar.istio.io/initialDelaySeconds", "readiness.status.sidecar.istio.io/failureThreshold" })] =
                rng.Pick(new[] { "-1", "0", "abc", "99999999999" });
        }

        return new Applied("status-port", $"status.sidecar.istio.io/port \"{port}\"");
    }

    private static Applied? OverridesGarbage(CaseDraft d, Random rng)
    {
        if (PodNav.Annotations(d.Pod) is not { } annotations)
        {
            return null;
        }

        var app = PodNav.ContainerNames(d.Pod).FirstOrDefault() ?? "app";
        var value = rng.Pick(new[]
        {
            "[]", "{", "null", "\"x\"", "{\"containers\":\"x\"}", "{\"containers\":[null]}", "{\"containers\":[{\"name\":\"istio-proxy\",\"image\":123}]}",
            $"{{\"containers\":[{{\"name\":\"{app}\",\"args\":{{\"a\":1}}}}]}}", "{\"containers\":[{\"name\":\"istio-proxy\",\"resources\":{\"limits\":{\"cpu\":\"garbage\"}}}]}",
            "{\"initContainers\":[{\"name\":\"istio-init\",\"securityContext\":\"x\"}]}", "{\"containers\":[{\"name\":\"istio-proxy\",\"ports\":[{\"containerPort\":\"x\"}]}]}",
            "{\"containers\":[{}]}", "{\"containers\":[{\"name\":\"\"}]}", "{\"spec\":{\"containers\":[]}}", NestedFlowSeqs(10_000),
        });
        annotations["proxy.istio.io/overrides"] = value;
        return new Applied("overrides-garbage", $"proxy.istio.io/overrides {Values.Describe(value)}");
    }

    private static Applied? TrafficGarbage(CaseDraft d, Random rng)
    {
        if (PodNav.Annotations(d.Pod) is not { } annotations)
        {
            return null;
        }

        var key = rng.Pick(TrafficAnnotations);
        var value = rng.Chance(0.1)
            ? string.Join(',', Enumerable.Range(1, 65535).Select(p => p.ToString(CultureInfo.InvariantCulture)))
            : rng.Pick(Garbage);
        annotations[key] = value;
        return new Applied("traffic-garbage", $"{key} {Values.Describe(value)}");
    }

    private static Applied? AnnotationGarbage(CaseDraft d, Random rng)
    {
        if (PodNav.Annotations(d.Pod) is not { } annotations)
        {
            return null;
        }

        var count = rng.Next(1, 4);
        var set = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var key = rng.Pick(KnownAnnotations);
            var value = rng.Pick(Garbage);
            annotations[key] = value;
            set.Add($"{key}={Values.Describe(value)}");
        }

        return new Applied("annotation-garbage", string.Join(", ", set));
    }

    /// <summary>Newlines, NUL, escape sequences, bidi overrides, template syntax in the values that end up in rendered YAML.</summary>
    private static Applied? ControlChars(CaseDraft d, Random rng)
    {
        if (d.Pod is not { } pod)
        {
            return null;
        }

        string value = rng.Next(16) switch
        {
            0 => "a\nb",
            1 => "a\r\nb",
            2 => "\t",
            3 => "\u0000",
            4 => "\u001b[31mred",
            5 => "\u007f\u0085",
            6 => "\u2028\u2029",
            7 => "\ufeffbom",
            8 => "🦄",
            9 => "\u202eevil",
            10 => "x\n  privileged: true\n  runAsUser: 0",
            11 => "{{ .Values.global.proxy.image }}",
            12 => "\"quoted\": '\\'",
            13 => "x" + d.SpliceInString("\\ud800") + "y",
            14 => "]]}}\n---\nkind: Secret",
            _ => "e\u0301\u0000\u0001\u0002",
        };
        var containers = PodNav.Containers(pod);
        var metadata = PodNav.Object(pod, "metadata");
        string where;
        switch (rng.Next(7))
        {
            case 0 when metadata is not null:
                metadata["name"] = value;
                where = "metadata.name";
                break;
            case 1 when PodNav.Ensure(pod, "metadata") is { } m && PodNav.Ensure(m, "labels") is { } labels:
                var label = rng.Pick(new[] { "app", "version", "service.istio.io/canonical-name", "app.kubernetes.io/name" });
                labels[label] = value;
                where = $"label {label}";
                break;
            case 2 when containers.Count > 0:
                var container = rng.Pick(containers);
                var field = rng.Pick(new[] { "name", "image" });
                container[field] = value;
                where = $"container {field}";
                break;
            case 3 when containers.Count > 0:
                var target = rng.Pick(containers);
                var env = PodNav.EnsureArray(target, "env");
                env.Add(new JsonObject { ["name"] = "FUZZ", ["value"] = value });
                where = "env value";
                break;
            case 4 when metadata is not null && d.Request is { } request:
                metadata["namespace"] = value;
                request["namespace"] = value;
                where = "namespace";
                break;
            default:
                if (PodNav.Annotations(pod) is not { } annotations)
                {
                    return null;
                }

                var key = rng.Pick(KnownAnnotations);
                annotations[key] = value;
                where = $"annotation {key}";
                break;
        }

        return new Applied("control-chars", $"{where} = {Values.Describe(value)}");
    }
}
