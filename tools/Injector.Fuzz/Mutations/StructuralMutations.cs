using System.Globalization;
using System.Text.Json.Nodes;
using Injector.Fuzz.Cases;

namespace Injector.Fuzz.Mutations;

/// <summary>Structural damage to the pod: fields removed, repeated, retyped, parts of the wrong type, too many items.</summary>
internal static class StructuralMutations
{
    /// <summary>Review fields whose loss makes the review undecodable (or the uid gone).</summary>
    private static readonly string[] ReviewFields = ["apiVersion", "kind", "request", "request/uid", "request/kind", "request/resource", "request/object", "request/operation", "request/namespace"];

    public static IEnumerable<Mutation> All()
    {
        yield return new Mutation("delete-field", 12, MutationStage.Tree, DeleteField);
        yield return new Mutation("duplicate-field", 6, MutationStage.Tree, DuplicateField);
        yield return new Mutation("retype-value", 14, MutationStage.Tree, RetypeValue);
        yield return new Mutation("object-wrong-type", 3, MutationStage.Tree, ObjectWrongType);
        yield return new Mutation("part-wrong-type", 10, MutationStage.Tree, PartWrongType);
        yield return new Mutation("many-items", 3, MutationStage.Tree, ManyItems);
        yield return new Mutation("reserved-names", 5, MutationStage.Tree, ReservedNames);
        yield return new Mutation("probe-garbage", 6, MutationStage.Tree, ProbeGarbage);
    }

    private static Applied? DeleteField(CaseDraft d, Random rng)
    {
        if (rng.Chance(0.1))
        {
            var field = rng.Pick(ReviewFields);
            var parts = field.Split('/');
            var parent = parts.Length == 1 ? d.Review : d.Request;
            if (parent is null || !parent.Remove(parts[^1]))
            {
                return null;
            }

            if (field is "apiVersion" or "kind" or "request" or "request/uid")
            {
                d.Decodable = false;
            }

            if (field == "request/kind")
            {
                d.ExpectNoPatch = true;
            }

            return new Applied("delete-field", $"removed /{field}");
        }

        if (d.Pod is not { } pod || PodNav.Slots(pod, "/request/object") is not { Count: > 0 } slots)
        {
            return null;
        }

        var slot = rng.Pick(slots);
        slot.Remove();
        return new Applied("delete-field", $"removed {slot.Pointer}");
    }

    /// <summary>A property repeated in the text (<c>"a":1,"a":2</c>); JSON trees cannot hold that, so a marker property is spliced.</summary>
    private static Applied? DuplicateField(CaseDraft d, Random rng)
    {
        var objects = new List<(JsonObject Obj, string Where)>();
        if (d.Pod is { } pod)
        {
            objects.Add((pod, "/request/object"));
            objects.AddRange(PodNav.Slots(pod, "/request/object").Where(s => s.Value is JsonObject { Count: > 0 }).Select(s => ((JsonObject)s.Value!, s.Pointer)));
        }

        var reviewLevel = rng.Chance(0.15);
        if (reviewLevel || objects.Count == 0)
        {
            objects.Clear();
            objects.Add((d.Review, ""));
            if (d.Request is { } request)
            {
                objects.Add((request, "/request"));
            }
        }

        var (obj, where) = rng.Pick(objects);
        if (obj.Count == 0)
        {
            return null;
        }

        var (key, value) = obj.ElementAt(rng.Next(obj.Count));
        var second = rng.Chance(0.5) ? value?.DeepClone() : Values.OtherType(value, rng);
        if ((ReferenceEquals(obj, d.Review) && key is "apiVersion" or "kind" or "request") || (ReferenceEquals(obj, d.Request) && key == "uid"))
        {
            d.Decodable = false;
        }

        var marker = d.NewMarker();
        obj[marker] = marker;
        var quotedMarker = JsonValue.Create(marker).ToJsonString(AdmissionReviews.TextOptions);
        d.Splice(quotedMarker + ":" + quotedMarker, JsonValue.Create(key).ToJsonString(AdmissionReviews.TextOptions) + ":" + (second?.ToJsonString(AdmissionReviews.TextOptions) ?? "null"));
        return new Applied("duplicate-field", $"{where}/{key} repeated with {Values.Describe(second)}");
    }

    private static Applied? RetypeValue(CaseDraft d, Random rng)
    {
        if (d.Pod is not { } pod || PodNav.Slots(pod, "/request/object") is not { Count: > 0 } slots)
        {
            return null;
        }

        var slot = rng.Pick(slots);
        var value = Values.OtherType(slot.Value, rng);
        slot.Set(value);
        return new Applied("retype-value", $"{slot.Pointer} = {Values.Describe(value)}");
    }

    private static Applied? ObjectWrongType(CaseDraft d, Random rng)
    {
        if (d.Request is not { } request)
        {
            return null;
        }

        var pod = d.Pod;
        JsonNode?[] choices = ["pod", "", 0, true, new JsonArray(), new JsonArray(pod?.DeepClone()), null, new JsonObject()];
        var value = choices[rng.Next(choices.Length)];
        request["object"] = value;
        return new Applied("object-wrong-type", $"/request/object = {Values.Describe(value)}");
    }

    /// <summary>A named part of the pod (metadata, spec, containers, one container, annotations…) replaced by a value of another type.</summary>
    private static Applied? PartWrongType(CaseDraft d, Random rng)
    {
        if (d.Pod is not { } pod)
        {
            return null;
        }

        var spec = PodNav.Object(pod, "spec");
        var metadata = PodNav.Object(pod, "metadata");
        var containers = PodNav.Array(spec, "containers");
        var container = containers is { Count: > 0 } ? containers[rng.Next(containers.Count)] as JsonObject : null;
        var annotations = PodNav.Object(metadata, "annotations");
        var targets = new List<(JsonObject Parent, string Key, string Where)> { (pod, "metadata", "metadata"), (pod, "spec", "spec") };
        if (spec is not null)
        {
            targets.AddRange([(spec, "containers", "spec.containers"), (spec, "initContainers", "spec.initContainers"), (spec, "volumes", "spec.volumes"),
                (spec, "securityContext", "spec.securityContext"), (spec, "imagePullSecrets", "spec.imagePullSecrets"), (spec, "dnsConfig", "spec.dnsConfig")]);
        }

        if (metadata is not null)
        {
            targets.AddRange([(metadata, "annotations", "metadata.annotations"), (metadata, "labels", "metadata.labels"), (metadata, "name", "metadata.name"),
                (metadata, "namespace", "metadata.namespace"), (metadata, "ownerReferences", "metadata.ownerReferences")]);
        }

        if (container is not null)
        {
            targets.AddRange([(container, "ports", "container.ports"), (container, "env", "container.env"), (container, "name", "container.name"),
                (container, "volumeMounts", "container.volumeMounts"), (container, "securityContext", "container.securityContext"),
                (container, "resources", "container.resources"), (container, "args", "container.args"), (container, "readinessProbe", "container.readinessProbe")]);
        }

        if (annotations is not null)
        {
            var key = annotations.Count > 0 && rng.Chance(0.5)
                ? annotations.ElementAt(rng.Next(annotations.Count)).Key
                : rng.Pick(AnnotationAttacks.KnownAnnotations);
            targets.Add((annotations, key, $"annotation {key}"));
        }

        if (containers is { Count: > 0 } && rng.Chance(0.3))
        {
            var index = rng.Next(containers.Count);
            var value = Values.OtherType(containers[index], rng);
            containers[index] = value;
            return new Applied("part-wrong-type", $"spec.containers[{index}] = {Values.Describe(value)}");
        }

        var (parent, field, where) = rng.Pick(targets);
        var replacement = Values.OtherType(PodNav.Child(parent, field), rng);
        parent[field] = replacement;
        return new Applied("part-wrong-type", $"{where} = {Values.Describe(replacement)}");
    }

    private static Applied? ManyItems(CaseDraft d, Random rng)
    {
        if (d.Pod is not { } pod || PodNav.Object(pod, "spec") is not { } spec)
        {
            return null;
        }

        var containers = PodNav.Array(spec, "containers");
        var first = containers?.OfType<JsonObject>().FirstOrDefault();
        switch (rng.Next(6))
        {
            case 0:
                var many = PodNav.EnsureArray(spec, "containers");
                var probes = rng.Chance(0.5);
                for (var i = 0; i < 1000; i++)
                {
                    var c = new JsonObject { ["name"] = $"c-{i:D4}", ["image"] = "nginx", ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 10000 + i }) };
                    if (probes)
                    {
                        c["readinessProbe"] = new JsonObject { ["httpGet"] = new JsonObject { ["path"] = "/ready", ["port"] = 10000 + i } };
                    }

                    many.Add(c);
                }

                return new Applied("many-containers", $"1,000 more containers{(probes ? " with HTTP probes" : "")}");
            case 1 when first is not null:
                var env = new JsonArray();
                for (var i = 0; i < 10_000; i++)
                {
                    env.Add(new JsonObject { ["name"] = $"FUZZ_ENV_{i}", ["value"] = i.ToString(CultureInfo.InvariantCulture) });
                }

                first["env"] = env;
                return new Applied("many-env", "10,000 env vars in the first container");
            case 2 when PodNav.Annotations(pod) is { } annotations:
                for (var i = 0; i < 10_000; i++)
                {
                    annotations[$"fuzz.example.com/a{i}"] = "v";
                }

                return new Applied("many-annotations", "10,000 annotations");
            case 3:
                var volumes = PodNav.EnsureArray(spec, "volumes");
                for (var i = 0; i < 1000; i++)
                {
                    volumes.Add(new JsonObject { ["name"] = $"vol-{i}", ["emptyDir"] = new JsonObject() });
                }

                return new Applied("many-volumes", "1,000 more volumes");
            case 4:
                var inits = PodNav.EnsureArray(spec, "initContainers");
                for (var i = 0; i < 1000; i++)
                {
                    inits.Add(new JsonObject { ["name"] = $"init-{i:D4}", ["image"] = "busybox" });
                }

                return new Applied("many-init-containers", "1,000 more init containers");
            case 5 when first is not null:
                var ports = new JsonArray();
                for (var i = 0; i < 1000; i++)
                {
                    ports.Add(new JsonObject { ["name"] = $"p{i}", ["containerPort"] = 20000 + i });
                }

                first["ports"] = ports;
                return new Applied("many-ports", "1,000 ports in the first container");
            default:
                return null;
        }
    }

    /// <summary>User objects that carry the names the sidecar uses (volumes, containers, ports).</summary>
    private static Applied? ReservedNames(CaseDraft d, Random rng)
    {
        if (d.Pod is not { } pod || PodNav.Object(pod, "spec") is not { } spec)
        {
            return null;
        }

        var containers = PodNav.EnsureArray(spec, "containers");
        switch (rng.Next(7))
        {
            case 0:
                var volume = rng.Pick(new[] { "istio-envoy", "istio-data", "istio-token", "istiod-ca-cert", "workload-socket", "istio-podinfo" });
                var volumes = PodNav.EnsureArray(spec, "volumes");
                volumes.Add(new JsonObject { ["name"] = volume, ["emptyDir"] = new JsonObject { ["medium"] = "Memory" } });
                return new Applied("reserved-volume", $"user volume named {volume}");
            case 1:
                containers.Add(new JsonObject { ["name"] = "istio-init", ["image"] = "busybox" });
                return new Applied("reserved-container", "user container named istio-init");
            case 2:
                containers.Add(new JsonObject { ["name"] = "istio-proxy", ["image"] = "custom/proxy:1", ["args"] = new JsonArray("--fuzz") });
                return new Applied("reserved-container", "user container named istio-proxy");
            case 3:
                var inits = PodNav.EnsureArray(spec, "initContainers");
                inits.Add(new JsonObject { ["name"] = rng.Pick(new[] { "istio-proxy", "istio-validation" }), ["image"] = "busybox" });
                return new Applied("reserved-container", $"user init container named {PodNav.Text(inits[^1], "name")}");
            case 4:
                var port = rng.Pick(new[] { 15000, 15001, 15006, 15020, 15021, 15090 });
                if (containers.OfType<JsonObject>().FirstOrDefault() is not { } first)
                {
                    return null;
                }

                var ports = PodNav.EnsureArray(first, "ports");
                ports.Add(new JsonObject { ["containerPort"] = port, ["name"] = "http-taken" });
                return new Applied("reserved-port", $"app container port {port}");
            case 5:
                var names = PodNav.ContainerNames(pod);
                if (names.Count == 0)
                {
                    return null;
                }

                containers.Add(new JsonObject { ["name"] = rng.Pick(names), ["image"] = "nginx" });
                return new Applied("duplicate-app-container", $"a second container named {PodNav.Text(containers[^1], "name")} (already duplicate before injection)");
            default:
                if (containers.OfType<JsonObject>().FirstOrDefault() is not { } app)
                {
                    return null;
                }

                var mounts = PodNav.EnsureArray(app, "volumeMounts");
                mounts.Add(new JsonObject { ["name"] = "istio-envoy", ["mountPath"] = "/etc/istio/proxy" });
                return new Applied("reserved-mount", "app container mounts istio-envoy");
        }
    }

    private static Applied? ProbeGarbage(CaseDraft d, Random rng)
    {
        var containers = PodNav.Containers(d.Pod);
        if (containers.Count == 0)
        {
            return null;
        }

        var container = rng.Pick(containers);
        var kind = rng.Pick(new[] { "readinessProbe", "livenessProbe", "startupProbe" });
        JsonNode?[] ports = ["0", -1, 70000, "abc", "", "http-undefined", 1.5, null, 2147483648L, "65535", new JsonObject()];
        var probe = rng.Next(8) switch
        {
            0 => new JsonObject { ["httpGet"] = new JsonObject { ["port"] = ports[rng.Next(ports.Length)]?.DeepClone(), ["path"] = "/ready" } },
            1 => new JsonObject { ["httpGet"] = new JsonObject { ["port"] = 8080, ["path"] = rng.Pick(new[] { "", "a\nb", "?x=1#y", "//", new string('p', 10_000), "/\u0000", "/é/🦄" }) } },
            2 => new JsonObject { ["httpGet"] = new JsonObject { ["port"] = 8080, ["scheme"] = rng.Pick(new[] { "HTTPS", "FTP", "", "http" }), ["host"] = "127.0.0.1", ["httpHeaders"] = new JsonArray(new JsonObject { ["name"] = "", ["value"] = "\n" }, new JsonObject { ["name"] = "X" }) } },
            3 => new JsonObject { ["tcpSocket"] = new JsonObject { ["port"] = ports[rng.Next(ports.Length)]?.DeepClone() } },
            4 => new JsonObject { ["grpc"] = new JsonObject { ["port"] = ports[rng.Next(ports.Length)]?.DeepClone(), ["service"] = 5 } },
            5 => new JsonObject { ["httpGet"] = new JsonObject { ["port"] = 8080 }, ["tcpSocket"] = new JsonObject { ["port"] = 8080 }, ["exec"] = new JsonObject { ["command"] = "not-a-list" } },
            6 => new JsonObject { ["httpGet"] = new JsonObject { ["port"] = 8080 }, ["initialDelaySeconds"] = -1, ["periodSeconds"] = "x", ["timeoutSeconds"] = 1e308 },
            _ => new JsonObject { ["httpGet"] = "port 8080" },
        };
        container[kind] = probe;
        if (rng.Chance(0.3) && PodNav.Annotations(d.Pod) is { } annotations)
        {
            annotations["sidecar.istio.io/rewriteAppHTTPProbers"] = rng.Pick(new[] { "true", "false", "maybe", "" });
        }

        return new Applied("probe-garbage", $"{PodNav.Text(container, "name")}.{kind} = {Values.Describe(probe)}");
    }
}
