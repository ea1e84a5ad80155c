using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Injector.Benchmarks;

/// <summary>The pods the micro benchmarks inject, as the UTF-8 JSON bytes an API server would send.</summary>
public static class SamplePods
{
    public const string Small = "small";
    public const string Realistic = "realistic";
    public const string ManyEnv = "env-1500";
    public const string Large = "large-64k";

    public static IReadOnlyList<string> Names { get; } = [Small, Realistic, ManyEnv, Large];

    public static byte[] Bytes(string name) => Encoding.UTF8.GetBytes(Build(name).ToJsonString());

    public static JsonObject Build(string name) => name switch
    {
        Small => SmallPod(),
        Realistic => RealisticPod(),
        ManyEnv => ManyEnvPod(1500),
        Large => LargePod(64 * 1024),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown sample pod"),
    };

    /// <summary>One container, like the core tests' <c>Pods.Hello</c>.</summary>
    public static JsonObject SmallPod() => (JsonObject)JsonNode.Parse("""
        {
          "apiVersion": "v1",
          "kind": "Pod",
          "metadata": {"name": "hello", "namespace": "default", "labels": {"app": "hello"}, "annotations": {}},
          "spec": {
            "containers": [
              {"name": "hello", "image": "fake.docker.io/hello:1.0", "ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"}]}
            ]
          }
        }
        """)!;

    /// <summary>A Deployment's pod as the ReplicaSet controller submits it: 3 containers with probes, resources and 20 env vars each.</summary>
    public static JsonObject RealisticPod()
    {
        var containers = new JsonArray();
        string[] names = ["api", "worker", "metrics-exporter"];
        for (var c = 0; c < names.Length; c++)
        {
            var port = 8080 + c;
            containers.Add(new JsonObject
            {
                ["name"] = names[c],
                ["image"] = $"registry.example.com/shop/{names[c]}:2.14.{c}",
                ["imagePullPolicy"] = "IfNotPresent",
                ["args"] = new JsonArray("--port", port.ToString(CultureInfo.InvariantCulture), "--log-level=info"),
                ["ports"] = new JsonArray(
                    new JsonObject { ["name"] = "http", ["containerPort"] = port, ["protocol"] = "TCP" },
                    new JsonObject { ["name"] = "grpc", ["containerPort"] = 9090 + c, ["protocol"] = "TCP" }),
                ["env"] = Env(names[c], 20),
                ["resources"] = new JsonObject
                {
                    ["requests"] = new JsonObject { ["cpu"] = "250m", ["memory"] = "256Mi" },
                    ["limits"] = new JsonObject { ["cpu"] = "1", ["memory"] = "512Mi" },
                },
                ["readinessProbe"] = Probe("/ready", port, 5),
                ["livenessProbe"] = Probe("/healthz", port, 15),
                ["startupProbe"] = new JsonObject
                {
                    ["tcpSocket"] = new JsonObject { ["port"] = port },
                    ["failureThreshold"] = 30,
                    ["periodSeconds"] = 2,
                },
                ["volumeMounts"] = new JsonArray(
                    new JsonObject { ["name"] = "config", ["mountPath"] = "/etc/shop", ["readOnly"] = true },
                    new JsonObject { ["name"] = "kube-api-access-x7k2p", ["mountPath"] = "/var/run/secrets/kubernetes.io/serviceaccount", ["readOnly"] = true }),
                ["securityContext"] = new JsonObject
                {
                    ["allowPrivilegeEscalation"] = false,
                    ["runAsNonRoot"] = true,
                    ["capabilities"] = new JsonObject { ["drop"] = new JsonArray("ALL") },
                },
                ["terminationMessagePath"] = "/dev/termination-log",
                ["terminationMessagePolicy"] = "File",
            });
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["generateName"] = "shop-api-6d8f7b9c4-",
                ["namespace"] = "shop",
                ["labels"] = new JsonObject
                {
                    ["app"] = "shop-api",
                    ["app.kubernetes.io/name"] = "shop-api",
                    ["app.kubernetes.io/version"] = "2.14.0",
                    ["pod-template-hash"] = "6d8f7b9c4",
                },
                ["annotations"] = new JsonObject
                {
                    ["prometheus.io/scrape"] = "true",
                    ["prometheus.io/port"] = "8080",
                    ["prometheus.io/path"] = "/metrics",
                    ["kubectl.kubernetes.io/restartedAt"] = "2025-11-03T10:15:00Z",
                },
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "apps/v1",
                    ["kind"] = "ReplicaSet",
                    ["name"] = "shop-api-6d8f7b9c4",
                    ["uid"] = "1f6c2a4e-8b3d-4c7a-9e2f-5a6b7c8d9e0f",
                    ["controller"] = true,
                    ["blockOwnerDeletion"] = true,
                }),
            },
            ["spec"] = new JsonObject
            {
                ["containers"] = containers,
                ["volumes"] = new JsonArray(
                    new JsonObject { ["name"] = "config", ["configMap"] = new JsonObject { ["name"] = "shop-api", ["defaultMode"] = 420 } },
                    new JsonObject
                    {
                        ["name"] = "kube-api-access-x7k2p",
                        ["projected"] = new JsonObject
                        {
                            ["defaultMode"] = 420,
                            ["sources"] = new JsonArray(
                                new JsonObject { ["serviceAccountToken"] = new JsonObject { ["expirationSeconds"] = 3607, ["path"] = "token" } },
                                new JsonObject
                                {
                                    ["configMap"] = new JsonObject
                                    {
                                        ["name"] = "kube-root-ca.crt",
                                        ["items"] = new JsonArray(new JsonObject { ["key"] = "ca.crt", ["path"] = "ca.crt" }),
                                    },
                                }),
                        },
                    }),
                ["restartPolicy"] = "Always",
                ["terminationGracePeriodSeconds"] = 30,
                ["dnsPolicy"] = "ClusterFirst",
                ["serviceAccountName"] = "shop-api",
                ["serviceAccount"] = "shop-api",
                ["securityContext"] = new JsonObject { ["fsGroup"] = 2000 },
                ["schedulerName"] = "default-scheduler",
                ["enableServiceLinks"] = true,
                ["preemptionPolicy"] = "PreemptLowerPriority",
                ["priority"] = 0,
            },
            ["status"] = new JsonObject(),
        };
    }

    /// <summary>The small pod with <paramref name="count"/> env vars on its container.</summary>
    /// <summary>The small pod with <paramref name="count"/> app containers, each with a port and a readiness probe.</summary>
    public static JsonObject ManyContainersPod(int count)
    {
        var pod = SmallPod();
        pod["spec"]!["containers"] = new JsonArray([.. Enumerable.Range(0, count).Select(i => (JsonNode)new JsonObject
        {
            ["name"] = $"app-{i}",
            ["image"] = $"registry.example.com/app:{i}",
            ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 1024 + i }),
            ["readinessProbe"] = new JsonObject { ["httpGet"] = new JsonObject { ["path"] = "/ready", ["port"] = 1024 + i } },
        })]);
        return pod;
    }

    public static JsonObject ManyEnvPod(int count)
    {
        var pod = SmallPod();
        pod["spec"]!["containers"]![0]!["env"] = Env("APP", count);
        return pod;
    }

    /// <summary>The realistic pod padded with annotations until the JSON is about <paramref name="bytes"/> long.</summary>
    public static JsonObject LargePod(int bytes)
    {
        var pod = RealisticPod();
        var annotations = (JsonObject)pod["metadata"]!["annotations"]!;
        var filler = new StringBuilder();
        for (var i = 0; filler.Length < 4000; i++)
        {
            filler.Append(CultureInfo.InvariantCulture, $"{{\"key-{i}\":\"value-{i}-abcdefghijklmnopqrstuvwxyz\"}},");
        }

        var chunk = filler.ToString();
        for (var i = 0; Encoding.UTF8.GetByteCount(pod.ToJsonString()) < bytes; i++)
        {
            annotations[$"example.com/config-blob-{i}"] = chunk;
        }

        return pod;
    }

    private static JsonArray Env(string prefix, int count)
    {
        var env = new JsonArray();
        var upper = prefix.ToUpperInvariant().Replace('-', '_');
        for (var i = 0; i < count; i++)
        {
            env.Add(new JsonObject
            {
                ["name"] = $"{upper}_SETTING_{i}",
                ["value"] = $"value-{i}-for-{prefix}",
            });
        }

        return env;
    }

    private static JsonObject Probe(string path, int port, int period) => new()
    {
        ["httpGet"] = new JsonObject { ["path"] = path, ["port"] = port, ["scheme"] = "HTTP" },
        ["initialDelaySeconds"] = 3,
        ["periodSeconds"] = period,
        ["timeoutSeconds"] = 1,
        ["successThreshold"] = 1,
        ["failureThreshold"] = 3,
    };
}
