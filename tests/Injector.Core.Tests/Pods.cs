using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;

namespace Injector.Core.Tests;

/// <summary>Test pods and the helpers to inject them and apply patches with Microsoft's RFC 6902 implementation.</summary>
internal static class Pods
{
    private static readonly Lazy<PodInjector> Default = new(() => new PodInjector(TestConfig.Load()));

    public static PodInjector Injector => Default.Value;

    public static JsonObject Hello(string? annotations = null, string? labels = null) => (JsonObject)JsonNode.Parse($$"""
        {
          "apiVersion": "v1",
          "kind": "Pod",
          "metadata": {
            "name": "hello",
            "namespace": "default",
            "labels": {{labels ?? """{"app": "hello"}"""}},
            "annotations": {{annotations ?? "{}"}}
          },
          "spec": {
            "containers": [
              {"name": "hello", "image": "fake.docker.io/hello:1.0", "ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"}]}
            ]
          }
        }
        """)!;

    public static InjectionResult Inject(JsonObject pod, InjectionDoor door = InjectionDoor.Webhook) =>
        Injector.Inject(new InjectionRequest(pod, "default", door, []));

    public static JsonObject ApplyPatch(JsonObject pod, JsonArray ops)
    {
        var copy = (JsonObject)pod.DeepClone();
        var patch = JsonSerializer.Deserialize<JsonPatchDocument>(ops.ToJsonString())!;
        patch.ApplyTo(copy);
        return copy;
    }
}
