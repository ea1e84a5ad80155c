using System.Text.Json.Nodes;

namespace Injector.Core.Kube;

/// <summary>
/// Orders a container's JSON the way Go's encoding/json writes the typed Kubernetes structs (field declaration
/// order), adding the always-present <c>resources: {}</c>. Istio writes <c>proxy.istio.io/overrides</c> this way,
/// so a byte-for-byte annotation needs the same order. Unknown fields keep their place after the known ones.
/// </summary>
public static class GoFieldOrder
{
    private static readonly Dictionary<string, string[]> Orders = new(StringComparer.Ordinal)
    {
        ["Container"] =
        [
            "name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources", "resizePolicy",
            "restartPolicy", "restartPolicyRules", "volumeMounts", "volumeDevices", "livenessProbe", "readinessProbe", "startupProbe",
            "lifecycle", "terminationMessagePath", "terminationMessagePolicy", "imagePullPolicy", "securityContext",
            "stdin", "stdinOnce", "tty",
        ],
        ["Probe"] =
        [
            "exec", "httpGet", "tcpSocket", "grpc", "initialDelaySeconds", "timeoutSeconds", "periodSeconds",
            "successThreshold", "failureThreshold", "terminationGracePeriodSeconds",
        ],
        ["HTTPGetAction"] = ["path", "port", "host", "scheme", "httpHeaders"],
        ["Lifecycle"] = ["postStart", "preStop", "stopSignal"],
        ["LifecycleHandler"] = ["exec", "httpGet", "tcpSocket", "sleep"],
        ["ResourceRequirements"] = ["limits", "requests", "claims"],
        ["VolumeMount"] = ["name", "readOnly", "recursiveReadOnly", "mountPath", "subPath", "mountPropagation", "subPathExpr"],
        ["ContainerPort"] = ["name", "hostPort", "containerPort", "protocol", "hostIP"],
        ["EnvVar"] = ["name", "value", "valueFrom"],
        ["SecurityContext"] =
        [
            "capabilities", "privileged", "seLinuxOptions", "windowsOptions", "runAsUser", "runAsGroup", "runAsNonRoot",
            "readOnlyRootFilesystem", "allowPrivilegeEscalation", "procMount", "seccompProfile", "appArmorProfile",
        ],
        ["Capabilities"] = ["add", "drop"],
    };

    private static readonly Dictionary<string, string> ContainerChildren = new(StringComparer.Ordinal)
    {
        ["livenessProbe"] = "Probe",
        ["readinessProbe"] = "Probe",
        ["startupProbe"] = "Probe",
        ["lifecycle"] = "Lifecycle",
        ["resources"] = "ResourceRequirements",
        ["securityContext"] = "SecurityContext",
    };

    public static JsonObject Container(JsonObject container)
    {
        var source = (JsonObject)container.DeepClone();
        source["resources"] ??= new JsonObject();
        var result = Order(source, "Container");
        foreach (var (field, type) in ContainerChildren)
        {
            if (result[field] is JsonObject child)
            {
                result[field] = type switch
                {
                    "Probe" => Handler(child, "Probe"),
                    "Lifecycle" => Lifecycle(child),
                    "SecurityContext" => WithChild(Order(child, type), "capabilities", "Capabilities"),
                    _ => Order(child, type),
                };
            }
        }

        OrderItems(result, "volumeMounts", "VolumeMount");
        OrderItems(result, "ports", "ContainerPort");
        OrderItems(result, "env", "EnvVar");
        return result;
    }

    private static JsonObject Lifecycle(JsonObject lifecycle)
    {
        var result = Order(lifecycle, "Lifecycle");
        foreach (var key in new[] { "postStart", "preStop" })
        {
            if (result[key] is JsonObject handler)
            {
                result[key] = Handler(handler, "LifecycleHandler");
            }
        }

        return result;
    }

    private static JsonObject Handler(JsonObject handler, string type) => WithChild(Order(handler, type), "httpGet", "HTTPGetAction");

    private static JsonObject WithChild(JsonObject parent, string key, string type)
    {
        if (parent[key] is JsonObject child)
        {
            parent[key] = Order(child, type);
        }

        return parent;
    }

    private static void OrderItems(JsonObject parent, string key, string type)
    {
        if (parent[key] is JsonArray items)
        {
            parent[key] = new JsonArray([.. items.Select(i => i is JsonObject o ? (JsonNode)Order(o, type) : i?.DeepClone())]);
        }
    }

    private static JsonObject Order(JsonObject source, string type)
    {
        var result = new JsonObject();
        foreach (var key in Orders[type].Concat(source.Select(kv => kv.Key)).Distinct())
        {
            if (source.TryGetPropertyValue(key, out var value))
            {
                result[key] = value?.DeepClone();
            }
        }

        return result;
    }
}
