using System.Text.Json.Nodes;
using Injector.Core.Policy;

namespace Injector.Core.Tests;

/// <summary>The validation rules of spec §4: each validated annotation with good and bad values.</summary>
public sealed class AnnotationValidationTests
{
    [Theory]
    [InlineData("sidecar.istio.io/interceptionMode", "REDIRECT", true)]
    [InlineData("sidecar.istio.io/interceptionMode", "TPROXY", true)]
    [InlineData("sidecar.istio.io/interceptionMode", "NONE", true)]
    [InlineData("sidecar.istio.io/interceptionMode", "redirect", false)]
    [InlineData("sidecar.istio.io/proxyCPU", "100m", true)]
    [InlineData("sidecar.istio.io/proxyCPU", "4000m", true)]
    [InlineData("sidecar.istio.io/proxyCPU", "lots", false)]
    [InlineData("sidecar.istio.io/proxyMemory", "1Gi", true)]
    [InlineData("sidecar.istio.io/proxyMemory", "1Gi\n", false)]
    [InlineData("sidecar.istio.io/proxyCPULimit", "2", true)]
    [InlineData("sidecar.istio.io/proxyMemoryLimit", "1G", true)]
    [InlineData("sidecar.istio.io/proxyMemoryLimit", "1XB", false)]
    [InlineData("status.sidecar.istio.io/port", "15020", true)]
    [InlineData("status.sidecar.istio.io/port", "0", true)]
    [InlineData("status.sidecar.istio.io/port", "65536", false)]
    [InlineData("status.sidecar.istio.io/port", "-1", false)]
    [InlineData("readiness.status.sidecar.istio.io/initialDelaySeconds", "10", true)]
    [InlineData("readiness.status.sidecar.istio.io/periodSeconds", "4294967295", true)]
    [InlineData("readiness.status.sidecar.istio.io/failureThreshold", "4294967296", false)]
    [InlineData("readiness.status.sidecar.istio.io/failureThreshold", "x", false)]
    [InlineData("traffic.sidecar.istio.io/includeOutboundIPRanges", "*", true)]
    [InlineData("traffic.sidecar.istio.io/includeOutboundIPRanges", "", true)]
    [InlineData("traffic.sidecar.istio.io/includeOutboundIPRanges", "10.0.0.0/8,fd00::/8", true)]
    [InlineData("traffic.sidecar.istio.io/includeOutboundIPRanges", "10.0.0.0/33", false)]
    [InlineData("traffic.sidecar.istio.io/includeOutboundIPRanges", "bad", false)]
    [InlineData("traffic.sidecar.istio.io/excludeOutboundIPRanges", "10.96.0.2/24", true)]
    [InlineData("traffic.sidecar.istio.io/excludeOutboundIPRanges", "*", false)]
    [InlineData("traffic.sidecar.istio.io/includeInboundPorts", "*", true)]
    [InlineData("traffic.sidecar.istio.io/includeInboundPorts", "1,2,3", true)]
    [InlineData("traffic.sidecar.istio.io/includeInboundPorts", "bad", false)]
    [InlineData("traffic.sidecar.istio.io/excludeInboundPorts", "4,5,6", true)]
    [InlineData("traffic.sidecar.istio.io/excludeInboundPorts", "*", false)]
    [InlineData("traffic.sidecar.istio.io/excludeInboundPorts", "70000", false)]
    [InlineData("traffic.sidecar.istio.io/excludeOutboundPorts", "7,8,9", true)]
    [InlineData("traffic.sidecar.istio.io/excludeOutboundPorts", "bad", false)]
    [InlineData("traffic.sidecar.istio.io/excludeInterfaces", "eth1,net0", true)]
    [InlineData("traffic.sidecar.istio.io/excludeInterfaces", "a/b", false)]
    [InlineData("traffic.sidecar.istio.io/kubevirtInterfaces", "net1", true)]
    [InlineData("istio.io/reroute-virtual-interfaces", "averyveryverylongname", false)]
    [InlineData("prometheus.istio.io/merge-metrics", "false", true)]
    [InlineData("prometheus.istio.io/merge-metrics", "nope", false)]
    [InlineData("proxy.istio.io/config", "concurrency: 2", true)]
    [InlineData("proxy.istio.io/config", "concurrency: two", false)]
    [InlineData("proxy.istio.io/config", "[1, 2]", false)]
    [InlineData("proxy.istio.io/overrides", "{\"containers\":[]}", true)]
    [InlineData("proxy.istio.io/overrides", "{", false)]
    [InlineData("sidecar.istio.io/logLevel", "anything", true)]
    public void Validated_annotations_accept_and_refuse(string name, string value, bool valid)
    {
        var error = AnnotationValidation.Validate(new JsonObject { [name] = value });

        if (valid)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.NotNull(error);
            Assert.StartsWith($"invalid value '{value.Replace("\n", "\\n", StringComparison.Ordinal)}' for annotation '{name}': ", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void All_failures_are_reported_at_once()
    {
        var error = AnnotationValidation.Validate(new JsonObject
        {
            ["sidecar.istio.io/proxyCPU"] = "lots",
            ["status.sidecar.istio.io/port"] = "99999",
            ["sidecar.istio.io/logLevel"] = "debug",
        });

        Assert.Equal(2, error!.Split("; invalid value").Length);
    }

    [Theory]
    [InlineData("""{"sidecar.istio.io/inject": "true"}""", "{}", "deprecated")]
    [InlineData("""{"sidecar.istio.io/inject": "false"}""", """{"sidecar.istio.io/inject": "true"}""", "ignored because the label")]
    [InlineData("""{"traffic.sidecar.istio.io/kubevirtInterfaces": "net1"}""", "{}", "use 'istio.io/reroute-virtual-interfaces'")]
    [InlineData("""{"sidecar.istio.io/proxyImage": "proxyv2"}""", "{}", "must contain '/'")]
    [InlineData("""{"sidecar.istio.io/rewriteAppHTTPProbers": "maybe"}""", "{}", "not a boolean")]
    [InlineData("""{"sidecar.istio.io/nativeSidecar": "yes"}""", "{}", "turns native sidecars on")]
    public void Soft_problems_become_warnings(string annotations, string labels, string expected)
    {
        var warnings = AnnotationWarnings.Find((JsonObject)JsonNode.Parse(annotations)!, (JsonObject)JsonNode.Parse(labels)!).ToList();

        Assert.Contains(warnings, w => w.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Warnings_reach_the_injection_result()
    {
        var result = Pods.Inject(Pods.Hello(annotations: """{"sidecar.istio.io/proxyImage": "proxyv2"}"""));

        result.Injected();
        Assert.Contains(result.Warnings, w => w.Contains("sidecar.istio.io/proxyImage", StringComparison.Ordinal));
    }
}
