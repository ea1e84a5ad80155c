using System.Text.Json.Nodes;
using CsCheck;

namespace Injector.Core.Tests;

/// <summary>
/// Generated valid pods for the property tests: containers with ports, probes of every kind, env, mounts and
/// resources; init containers; volumes; Istio annotations with valid values and foreign ones with odd characters;
/// fields the client models do not know. Every pod is one the API server would accept.
/// </summary>
internal static class RandomPods
{
    private static readonly string[] ContainerNames = ["app", "web", "worker", "db", "cache", "sidecar-x"];

    private static readonly string[] OddText = ["plain", "with space", "ünïcödé ✓", "line\nbreak", "tab\there", "quote\"s", "{\"json\": true}", "- yaml: [x]", "", "*"];

    /// <summary>Ports Istio's proxy uses; a generated app avoids them as Istio's docs ask.</summary>
    private static readonly HashSet<int> ProxyPorts = [15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090];

    public static readonly Gen<JsonObject> Pod =
        Gen.Select(Gen.Int[1, 4], Gen.Int[0, 2], Gen.Int[0, int.MaxValue], (containers, inits, seed) => Build(containers, inits, seed));

    /// <summary>Everything drawn from one seed, so a failing pod is reproduced by its seed alone.</summary>
    public static JsonObject Build(int containerCount, int initCount, int seed)
    {
        var rng = new Random(seed);
        var volumes = new JsonArray();
        var usedPorts = new List<int>();
        var containers = new JsonArray();
        for (var i = 0; i < containerCount; i++)
        {
            containers.Add(Container($"{ContainerNames[rng.Next(ContainerNames.Length)]}{i}", rng, volumes, usedPorts, probes: true));
        }

        if (rng.Next(8) == 0)
        {
            // The user's own istio-proxy: an override of the injected one (image: auto is the injector's image).
            containers.Add(new JsonObject
            {
                ["name"] = "istio-proxy",
                ["image"] = "auto",
                ["resources"] = new JsonObject { ["limits"] = new JsonObject { ["memory"] = Pick(rng, "256Mi", "1Gi") } },
            });
        }

        var spec = new JsonObject { ["containers"] = containers };
        if (initCount > 0)
        {
            var inits = new JsonArray();
            for (var i = 0; i < initCount; i++)
            {
                inits.Add(Container($"init{i}", rng, volumes, usedPorts, probes: false));
            }

            spec["initContainers"] = inits;
        }

        for (var i = 0; i < rng.Next(3); i++)
        {
            volumes.Add(new JsonObject { ["name"] = $"extra{i}", ["configMap"] = new JsonObject { ["name"] = $"cm{i}" } });
        }

        if (volumes.Count > 0)
        {
            spec["volumes"] = volumes;
        }

        if (rng.Next(4) == 0)
        {
            spec["securityContext"] = new JsonObject { ["runAsUser"] = 1000 + rng.Next(100), ["fsGroup"] = 2000 };
        }

        if (rng.Next(20) == 0)
        {
            spec["hostNetwork"] = true;
        }

        if (rng.Next(3) == 0)
        {
            // A field newer than the client models: it must come through untouched.
            spec["futureSpecField"] = new JsonObject { ["mode"] = "x", ["list"] = new JsonArray(1, 2) };
        }

        spec["restartPolicy"] = rng.Next(2) == 0 ? "Always" : "OnFailure";
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = Metadata(rng, usedPorts),
            ["spec"] = spec,
        };
        if (rng.Next(4) == 0)
        {
            pod["futureTopLevel"] = "kept";
        }

        return pod;
    }

    private static JsonObject Metadata(Random rng, List<int> ports)
    {
        var labels = new JsonObject { ["app"] = $"app{rng.Next(5)}" };
        if (rng.Next(2) == 0)
        {
            labels["version"] = $"v{rng.Next(3)}";
        }

        if (rng.Next(15) == 0)
        {
            labels["sidecar.istio.io/inject"] = rng.Next(2) == 0 ? "true" : "false";
        }

        var annotations = new JsonObject();
        void Maybe(int oneIn, string key, string value)
        {
            if (rng.Next(oneIn) == 0)
            {
                annotations[key] = value;
            }
        }

        var appPorts = ports.Where(p => !ProxyPorts.Contains(p)).ToList();
        Maybe(3, "prometheus.io/scrape", rng.Next(4) == 0 ? "false" : "true");
        if (appPorts.Count > 0)
        {
            Maybe(3, "prometheus.io/port", appPorts[rng.Next(appPorts.Count)].ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Maybe(4, "prometheus.io/path", "/custom/metrics");
        Maybe(6, "sidecar.istio.io/proxyCPU", Pick(rng, "100m", "1", "250m", "0.5"));
        Maybe(6, "sidecar.istio.io/proxyMemory", Pick(rng, "128Mi", "1Gi", "256M"));
        Maybe(8, "sidecar.istio.io/proxyCPULimit", Pick(rng, "2", "2000m"));
        Maybe(5, "sidecar.istio.io/rewriteAppHTTPProbers", Pick(rng, "true", "false"));
        Maybe(8, "traffic.sidecar.istio.io/excludeOutboundPorts", Pick(rng, "8080", "8080,9090", " 3306 , 5432 "));
        Maybe(8, "traffic.sidecar.istio.io/excludeInboundPorts", Pick(rng, "9000", "1,65535"));
        Maybe(8, "traffic.sidecar.istio.io/includeOutboundIPRanges", Pick(rng, "10.0.0.0/8", "*", "10.0.0.0/8,192.168.0.0/16"));
        Maybe(10, "sidecar.istio.io/interceptionMode", Pick(rng, "REDIRECT", "TPROXY"));
        Maybe(6, "proxy.istio.io/config", Pick(rng, "holdApplicationUntilProxyStarts: true", "concurrency: 3", "{}", "proxyMetadata:\n  A: b\n", "{\"drainDuration\": \"10s\"}"));
        Maybe(10, "status.sidecar.istio.io/port", Pick(rng, "15020", "15030"));
        Maybe(10, "sidecar.istio.io/nativeSidecar", Pick(rng, "true", "false"));
        Maybe(10, "sidecar.istio.io/logLevel", Pick(rng, "debug", "warning"));
        Maybe(10, "readiness.status.sidecar.istio.io/periodSeconds", Pick(rng, "5", "30"));
        Maybe(12, "inject.istio.io/templates", Pick(rng, "grpc-simple", "grpc-agent", "sidecar"));
        Maybe(3, "example.com/note", OddText[rng.Next(OddText.Length)]);
        Maybe(6, "kubectl.kubernetes.io/last-applied-configuration", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}");
        var metadata = new JsonObject
        {
            ["name"] = $"pod-{rng.Next(1000)}",
            ["namespace"] = Pick(rng, "default", "shop", "team-a"),
            ["labels"] = labels,
        };
        if (annotations.Count > 0 || rng.Next(2) == 0)
        {
            metadata["annotations"] = annotations;
        }

        if (rng.Next(3) == 0)
        {
            metadata["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = "apps/v1",
                ["kind"] = "ReplicaSet",
                ["name"] = $"web-{rng.Next(100)}",
                ["uid"] = "7c4f3e1a-0000-4000-8000-000000000001",
                ["controller"] = true,
            });
        }

        return metadata;
    }

    private static JsonObject Container(string name, Random rng, JsonArray volumes, List<int> usedPorts, bool probes)
    {
        var container = new JsonObject { ["name"] = name, ["image"] = $"registry.example.com/{name}:{rng.Next(10)}" };
        var ports = new JsonArray();
        for (var i = 0; i < rng.Next(3); i++)
        {
            var port = NewPort(rng, usedPorts);
            var entry = new JsonObject { ["containerPort"] = port };
            if (rng.Next(2) == 0)
            {
                entry["name"] = $"p{port}";
            }

            if (rng.Next(3) == 0)
            {
                entry["protocol"] = Pick(rng, "TCP", "UDP");
            }

            ports.Add(entry);
        }

        if (ports.Count > 0)
        {
            container["ports"] = ports;
        }

        if (rng.Next(2) == 0)
        {
            var env = new JsonArray();
            for (var i = 0; i < rng.Next(1, 6); i++)
            {
                env.Add(rng.Next(5) == 0
                    ? new JsonObject { ["name"] = $"FROM_{i}", ["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["fieldPath"] = "metadata.name" } } }
                    : new JsonObject { ["name"] = $"VAR_{i}", ["value"] = OddText[rng.Next(OddText.Length)] });
            }

            container["env"] = env;
        }

        if (rng.Next(2) == 0)
        {
            var volume = $"{name}-data";
            volumes.Add(rng.Next(2) == 0
                ? new JsonObject { ["name"] = volume, ["emptyDir"] = new JsonObject() }
                : new JsonObject { ["name"] = volume, ["secret"] = new JsonObject { ["secretName"] = $"{name}-secret" } });
            container["volumeMounts"] = new JsonArray(new JsonObject { ["name"] = volume, ["mountPath"] = $"/data/{name}" });
        }

        switch (rng.Next(3))
        {
            case 0:
                container["resources"] = new JsonObject
                {
                    ["requests"] = new JsonObject { ["cpu"] = Pick(rng, "100m", "1", "0.25"), ["memory"] = Pick(rng, "64Mi", "1Gi") },
                };
                break;
            case 1:
                // What the API server sends for a container without resources (Go writes the struct).
                container["resources"] = new JsonObject();
                break;
        }

        if (probes)
        {
            foreach (var field in new[] { "readinessProbe", "livenessProbe", "startupProbe" })
            {
                if (rng.Next(3) == 0)
                {
                    container[field] = Probe(rng, ports);
                }
            }

            if (rng.Next(6) == 0)
            {
                container["lifecycle"] = new JsonObject
                {
                    ["preStop"] = new JsonObject { ["httpGet"] = new JsonObject { ["path"] = "/stop", ["port"] = 8081 } },
                };
            }
        }

        if (rng.Next(5) == 0)
        {
            container["securityContext"] = new JsonObject { ["runAsNonRoot"] = true, ["readOnlyRootFilesystem"] = rng.Next(2) == 0 };
        }

        if (rng.Next(4) == 0)
        {
            container["futureContainerField"] = new JsonObject { ["enabled"] = true };
        }

        return container;
    }

    private static JsonObject Probe(Random rng, JsonArray ports)
    {
        JsonNode Port()
        {
            var named = ports.OfType<JsonObject>().Where(p => p["name"] is not null).ToList();
            if (named.Count > 0 && rng.Next(2) == 0)
            {
                return named[rng.Next(named.Count)]["name"]!.GetValue<string>();
            }

            return rng.Next(4) == 0 ? "8080" : (JsonNode)(rng.Next(1024, 9000));
        }

        var probe = rng.Next(5) switch
        {
            0 => new JsonObject { ["exec"] = new JsonObject { ["command"] = new JsonArray("cat", "/tmp/healthy") } },
            1 => new JsonObject { ["tcpSocket"] = new JsonObject { ["port"] = Port() } },
            2 => new JsonObject { ["grpc"] = new JsonObject { ["port"] = rng.Next(1024, 9000) } },
            _ => new JsonObject
            {
                ["httpGet"] = new JsonObject
                {
                    ["path"] = Pick(rng, "/healthz", "/ready", "/"),
                    ["port"] = Port(),
                    ["scheme"] = rng.Next(5) == 0 ? "HTTPS" : "HTTP",
                },
            },
        };
        if (rng.Next(2) == 0)
        {
            probe["periodSeconds"] = rng.Next(1, 30);
            probe["timeoutSeconds"] = rng.Next(1, 10);
        }

        return probe;
    }

    private static int NewPort(Random rng, List<int> used)
    {
        while (true)
        {
            var port = rng.Next(3) == 0 ? rng.Next(1, 65536) : Pick(rng, 80, 443, 8080, 9090, 3000, 5000);
            if (!used.Contains(port))
            {
                used.Add(port);
                return port;
            }
        }
    }

    private static T Pick<T>(Random rng, params T[] choices) => choices[rng.Next(choices.Length)];
}
