using System.Text.Json.Nodes;
using Injector.Core.Kube;

namespace Injector.Core.Platform;

/// <summary>
/// On OpenShift a user's own istio-proxy that runs as the same user as the app container would be exempt from
/// capture together with the app, so its runAsUser is cleared before injection (spec §6.5).
/// </summary>
public static class OpenShiftUser
{
    /// <returns>Whether the pod was changed.</returns>
    public static bool ClearSharedProxyUser(JsonObject pod)
    {
        var userProxy = PodJson.Find(pod, "containers", PodJson.ProxyContainer) ?? PodJson.Find(pod, "initContainers", PodJson.ProxyContainer);
        if (userProxy?["securityContext"] is not JsonObject proxyContext || proxyContext["runAsUser"] is not JsonValue proxyUser)
        {
            return false;
        }

        var app = PodJson.Items(pod, "containers").FirstOrDefault(c => PodJson.Name(c) != PodJson.ProxyContainer);
        if (app?["securityContext"]?["runAsUser"] is JsonValue appUser && JsonNode.DeepEquals(appUser, proxyUser))
        {
            proxyContext.Remove("runAsUser");
            return true;
        }

        return false;
    }
}
