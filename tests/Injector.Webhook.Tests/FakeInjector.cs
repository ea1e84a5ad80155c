using System.Text.Json.Nodes;
using Injector.Core;
using Injector.Core.Policy;

namespace Injector.Webhook.Tests;

/// <summary>
/// Stands in for the real injector: the pod's <c>test/mode</c> label picks the result. The patch it returns records the
/// path env it was given, so tests can see what reached the injector.
/// </summary>
internal sealed class FakeInjector : IPodInjector, IPodInjectorSource
{
    public const string ModeLabel = "test/mode";
    public const string ErrorMessage = "bad annotation sidecar.istio.io/proxyCPU: \"lots\"";

    public IPodInjector Current => this;

    public bool ReadsNamespaceAnnotations => false;

    public InjectionResult Inject(InjectionRequest request, CancellationToken cancellationToken = default)
    {
        var mode = (request.Pod["metadata"]?["labels"]?[ModeLabel])?.GetValue<string>() ?? "inject";
        switch (mode)
        {
            case "skip":
                return new InjectionResult.Skipped(SkipReason.LabelDisabled, []);
            case "error":
                return new InjectionResult.Denied(DenialReason.InvalidAnnotation, ErrorMessage, []);
            case "throw":
                throw new InvalidOperationException("the template exploded");
            case "warn":
                return new InjectionResult.Injected(SkipReason.PolicyEnabled, request.Pod, Patch(request), [new string('w', 300), "short"]);
            default:
                return new InjectionResult.Injected(SkipReason.PolicyEnabled, request.Pod, Patch(request), []);
        }
    }

    /// <summary>The ops the double returns: one annotation with the path env, one container.</summary>
    public static JsonArray Patch(InjectionRequest request)
    {
        var env = string.Join(",", request.PathEnv.Select(e => $"{e.Key}={e.Value}"));
        return
        [
            new JsonObject
            {
                ["op"] = "add",
                ["path"] = "/metadata/annotations",
                ["value"] = new JsonObject
                {
                    ["sidecar.istio.io/status"] = "injected",
                    ["test/path-env"] = env,
                    ["test/namespace"] = request.Namespace,
                    ["test/door"] = request.Door.ToString(),
                },
            },
            new JsonObject
            {
                ["op"] = "add",
                ["path"] = "/spec/containers/-",
                ["value"] = new JsonObject { ["name"] = "istio-proxy", ["image"] = "proxyv2" },
            },
        ];
    }
}
