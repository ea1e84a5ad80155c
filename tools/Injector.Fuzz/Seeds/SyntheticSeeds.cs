using System.Text.Json.Nodes;

namespace Injector.Fuzz.Seeds;

/// <summary>Small hand-made pods that must always be injected: they are the fuzzer's own sanity check of the server.</summary>
internal static class SyntheticSeeds
{
    public static IEnumerable<Seed> All()
    {
        yield return new Seed("synthetic/minimal", Parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"minimal","namespace":"default"},
             "spec":{"containers":[{"name":"app","image":"nginx"}]}}
            """), Synthetic: true);
        yield return new Seed("synthetic/probes-and-ports", Parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"probes","namespace":"default","labels":{"app":"probes","version":"v1"}},
             "spec":{"containers":[
               {"name":"app","image":"nginx","ports":[{"name":"http","containerPort":8080},{"containerPort":9090,"protocol":"TCP"}],
                "livenessProbe":{"httpGet":{"path":"/healthz","port":8080},"initialDelaySeconds":3,"periodSeconds":5},
                "readinessProbe":{"httpGet":{"path":"/ready","port":"http","scheme":"HTTP"}},
                "startupProbe":{"tcpSocket":{"port":9090},"failureThreshold":30}},
               {"name":"worker","image":"busybox","command":["sh","-c","sleep 3600"],
                "readinessProbe":{"exec":{"command":["cat","/tmp/ready"]}},
                "livenessProbe":{"grpc":{"port":7070}}}]}}
            """), Synthetic: true);
        yield return new Seed("synthetic/prometheus", Parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"metrics","namespace":"default",
               "annotations":{"prometheus.io/scrape":"true","prometheus.io/port":"9090","prometheus.io/path":"/stats"}},
             "spec":{"containers":[{"name":"app","image":"nginx","ports":[{"containerPort":9090}]}]}}
            """), Synthetic: true);
        yield return new Seed("synthetic/init-and-volumes", Parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"web-","name":"web-abcde","namespace":"default","labels":{"app":"web"}},
             "spec":{"serviceAccountName":"web","initContainers":[{"name":"setup","image":"busybox","command":["true"]}],
               "containers":[{"name":"web","image":"nginx","volumeMounts":[{"name":"data","mountPath":"/data"}],
                 "env":[{"name":"MODE","value":"prod"}],"resources":{"requests":{"cpu":"100m","memory":"64Mi"}}}],
               "volumes":[{"name":"data","emptyDir":{}}]}}
            """), Synthetic: true);
    }

    private static JsonObject Parse(string json) => (JsonObject)JsonNode.Parse(json)!;
}
