using System.Text.Json.Nodes;
using Injector.Core.Kube;

namespace Injector.Core.PostProcess;

/// <summary>
/// Container order (spec §3.5). Native sidecars: istio-init/istio-validation, istio-proxy, then the user's init
/// containers. Classic: istio-proxy last in containers (first when the app waits for the proxy), istio-validation
/// first and istio-init last among init containers, so user init containers have network before iptables is set.
/// </summary>
public static class ContainerOrder
{
    private const string EnableCoreDump = "enable-core-dump";

    public static void Apply(JsonObject pod, bool holdApplication)
    {
        var spec = PodJson.Spec(pod);
        if (spec["containers"] is JsonArray containers)
        {
            Move(containers, PodJson.ProxyContainer, first: holdApplication);
        }

        if (spec["initContainers"] is not JsonArray inits)
        {
            return;
        }

        if (inits.Any(c => PodJson.Name(c) == PodJson.ProxyContainer))
        {
            Move(inits, EnableCoreDump, first: true);
            Move(inits, PodJson.ProxyContainer, first: true);
            Move(inits, PodJson.ValidationContainer, first: true);
            Move(inits, PodJson.InitContainer, first: true);
        }
        else
        {
            Move(inits, PodJson.InitContainer, first: false);
            Move(inits, PodJson.ValidationContainer, first: true);
            Move(inits, EnableCoreDump, first: false);
        }
    }

    private static void Move(JsonArray list, string name, bool first)
    {
        var index = -1;
        for (var i = 0; i < list.Count; i++)
        {
            if (PodJson.Name(list[i]) == name)
            {
                index = i;
                break;
            }
        }

        if (index < 0)
        {
            return;
        }

        var node = list[index];
        list.RemoveAt(index);
        if (first)
        {
            list.Insert(0, node);
        }
        else
        {
            list.Add(node);
        }
    }
}
