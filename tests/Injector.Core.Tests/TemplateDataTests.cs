namespace Injector.Core.Tests;

/// <summary>Every field of Istio's template data (spec §6.2), read with Go names through the real pipeline.</summary>
public sealed class TemplateDataTests
{
    private const string Hold = """{"proxy.istio.io/config": "holdApplicationUntilProxyStarts: true"}""";
    private const string HoldFalse = """{"proxy.istio.io/config": "holdApplicationUntilProxyStarts: false"}""";
    private const string Tproxy = """{"proxy.istio.io/config": "interceptionMode: TPROXY"}""";
    private const string Meta = """{"proxy.istio.io/config": "proxyMetadata: {B: \"2\", A: \"1\"}\nimage: {imageType: distroless}\nconcurrency: 0"}""";

    [Theory]
    [InlineData("{{ .TypeMeta.Kind }} {{ .TypeMeta.APIVersion }}", "{}", "Pod v1")]
    [InlineData("{{ .DeploymentMeta.Name }} {{ .DeploymentMeta.Namespace }}", "{}", "hello default")]
    [InlineData("{{ .ObjectMeta.Name }} {{ .ObjectMeta.Namespace }} {{ index .ObjectMeta.Labels \"app\" }}", "{}", "hello default hello")]
    [InlineData("{{ .ObjectMeta.Annotations }}", """{"a": "b"}""", "map[a:b]")]
    [InlineData("{{ .Spec.ServiceAccountName }}", "{}", "sa")]
    [InlineData("{{ range $i, $c := .Spec.Containers }}{{ $i }}={{ $c.Name }}:{{ len $c.Ports }};{{ end }}", "{}", "0=hello:2;1=side:1;")]
    [InlineData("{{ range .Spec.InitContainers }}{{ .Name }}{{ end }}", "{}", "setup")]
    [InlineData("{{ .ProxyConfig.InterceptionMode }}", "{}", "REDIRECT")]
    [InlineData("{{ .ProxyConfig.InterceptionMode }}", Tproxy, "TPROXY")]
    [InlineData("{{ eq .ProxyConfig.InterceptionMode \"TPROXY\" }}", Tproxy, "true")]
    [InlineData("{{ .ProxyConfig.InterceptionMode.String }} {{ .ProxyConfig.GetInterceptionMode }}", "{}", "REDIRECT REDIRECT")]
    [InlineData("{{ .ProxyConfig.HoldApplicationUntilProxyStarts.GetValue }}", "{}", "false")]
    [InlineData("{{ .ProxyConfig.HoldApplicationUntilProxyStarts.GetValue }}", Hold, "true")]
    [InlineData("{{ if .ProxyConfig.HoldApplicationUntilProxyStarts }}set{{ else }}nil{{ end }}", "{}", "nil")]
    [InlineData("{{ if .ProxyConfig.HoldApplicationUntilProxyStarts }}set{{ end }}:{{ .ProxyConfig.HoldApplicationUntilProxyStarts.Value }}", HoldFalse, "set:false")]
    [InlineData("{{ .ProxyConfig.GetHoldApplicationUntilProxyStarts.GetValue }}", "{}", "false")]
    [InlineData("{{ .ProxyConfig.Concurrency.GetValue }} {{ .ProxyConfig.GetConcurrency.GetValue }}", "{}", "2 2")]
    [InlineData("{{ if .ProxyConfig.Concurrency }}set{{ end }}:{{ .ProxyConfig.Concurrency.GetValue }}", Meta, "set:0")]
    [InlineData("{{ .ProxyConfig.ProxyMetadata }}", "{}", "map[]")]
    [InlineData("{{ .ProxyConfig.ProxyMetadata }} {{ .ProxyConfig.ProxyMetadata.A }}", Meta, "map[A:1 B:2] 1")]
    [InlineData("{{ range $k, $v := .ProxyConfig.GetProxyMetadata }}{{ $k }}={{ $v }};{{ end }}", Meta, "A=1;B=2;")]
    [InlineData("{{ .ProxyConfig.GetTracing.GetZipkin.GetAddress }} {{ .ProxyConfig.Tracing.Zipkin.Address }}", "{}", "zipkin.istio-system:9411 zipkin.istio-system:9411")]
    [InlineData("{{ if .ProxyConfig.GetTracing.GetTlsSettings }}tls{{ else }}none{{ end }}:{{ .ProxyConfig.GetTracing.GetTlsSettings.GetCaCertificates }}:", "{}", "none::")]
    [InlineData("{{ .ProxyConfig.Tracing.Sampling }} {{ .ProxyConfig.Tracing.GetMaxPathTagLength.GetValue }}", "{}", "0 0")]
    [InlineData("{{ .ProxyConfig.Image.ImageType }} {{ .ProxyConfig.GetImage.GetImageType }}", Meta, "distroless distroless")]
    [InlineData("[{{ .ProxyConfig.GetImage.GetImageType }}]{{ if .ProxyConfig.Image }}set{{ end }}", "{}", "[]")]
    [InlineData("{{ .ProxyConfig.StatusPort }} {{ .ProxyConfig.ProxyAdminPort }} [{{ .ProxyConfig.MeshId }}] {{ .ProxyConfig.ControlPlaneAuthPolicy }}", "{}", "15020 15000 [] MUTUAL_TLS")]
    [InlineData("{{ .ProxyConfig.DrainDuration }} {{ .ProxyConfig.DiscoveryAddress }}", "{}", "45s istiod.istio-system.svc:15012")]
    [InlineData("{{ .MeshConfig.ProxyListenPort }} {{ .MeshConfig.ProxyInboundListenPort }} {{ .MeshConfig.TrustDomain }}", "{}", "15001 15006 cluster.local")]
    [InlineData("{{ .MeshConfig.DefaultConfig.DiscoveryAddress }} {{ .MeshConfig.GetDefaultConfig.GetProxyMetadata }} {{ .MeshConfig.DefaultConfig.ProxyMetadata }}", "{}", "istiod.istio-system.svc:15012 map[] map[]")]
    [InlineData("{{ .MeshConfig.EnablePrometheusMerge.GetValue }} {{ .MeshConfig.GetEnableAutoMtls.GetValue }} [{{ .MeshConfig.IngressClass }}] {{ .MeshConfig.EnableTracing }}", "{}", "true false [] false")]
    [InlineData("{{ .MeshConfig.GetOutboundTrafficPolicy.GetMode }} {{ if .MeshConfig.InboundTrafficPolicy }}set{{ else }}nil{{ end }}", "{}", "REGISTRY_ONLY nil")]
    [InlineData("{{ len .MeshConfig.TrustDomainAliases }} {{ .MeshConfig.RootNamespace }}", "{}", "0 istio-system")]
    [InlineData("{{ .Values.global.proxy.image }} {{ .Values.global.hub }}", "{}", "proxyv2 registry.istio.io/testing")]
    [InlineData("{{ .Revision }}", "{}", "default")]
    [InlineData("{{ .NativeSidecars }}", "{}", "true")]
    [InlineData("{{ .ProxyImage }} {{ .ProxyInitImage }}", "{}", "registry.istio.io/testing/proxyv2:latest registry.istio.io/testing/proxyv2:latest")]
    [InlineData("{{ .ProxyUID }} {{ .ProxyGID }}", "{}", "1337 1337")]
    [InlineData("{{ .InboundTrafficPolicyMode }}", "{}", "passthrough")]
    [InlineData("[{{ .CompliancePolicy }}]", "{}", "[]")]
    // Kubernetes objects read like Go's typed structs: an absent field has its zero value, an unknown name no value.
    [InlineData("[{{ .Spec.NodeName }}] {{ eq .Spec.Hostname \"\" }} {{ .Spec.HostNetwork }} {{ if .Spec.Priority }}set{{ else }}nil{{ end }}", "{}", "[] true false nil")]
    [InlineData("{{ range .Spec.Containers }}[{{ .WorkingDir }}]{{ .Stdin }}{{ range .Ports }} {{ .HostPort }}/{{ .Protocol }}{{ end }};{{ end }}", "{}", "[]false 0/TCP 0/UDP;[]false 0/;")]
    [InlineData("[{{ .ObjectMeta.GenerateName }}] {{ .ObjectMeta.Generation }}", "{}", "[] 0")]
    [InlineData("[{{ .Spec.NoSuchField }}] {{ if .Spec.SecurityContext }}set{{ else }}nil{{ end }}", "{}", "[<no value>] nil")]
    [InlineData("{{ len .Spec.Volumes }} {{ if .Spec.Volumes }}some{{ else }}none{{ end }} {{ len .Spec.NodeSelector }} {{ range .Spec.Tolerations }}x{{ end }}.", "{}", "0 none 0 .")]
    public void Data_field_reads_as_in_istiod(string expression, string annotations, string expected)
    {
        Assert.Equal(expected, TemplateDataProbe.Render(expression, annotations));
    }

    [Fact]
    public void Unknown_ProxyConfig_field_is_an_error_naming_the_field_the_type_and_the_template_line()
    {
        var result = TemplateDataProbe.Inject("metadata:\n  annotations:\n    out: {{ .ProxyConfig.NoSuchField }}\n");

        result.Denied();
        Assert.Contains("template: probe:3:", result.Denied().Message, StringComparison.Ordinal);
        Assert.Contains("can't evaluate field NoSuchField in type *v1alpha1.ProxyConfig", result.Denied().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_MeshConfig_getter_is_an_error()
    {
        var result = TemplateDataProbe.Inject("\n{{ .MeshConfig.GetNoSuchThing }}\n");

        result.Denied();
        Assert.Contains("template: probe:2:", result.Denied().Message, StringComparison.Ordinal);
        Assert.Contains("can't evaluate field GetNoSuchThing in type *v1alpha1.MeshConfig", result.Denied().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gateway_deployment_template_is_an_error_that_says_what_it_is()
    {
        var result = TemplateDataProbe.Inject("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .ServiceAccount | quote }}\n");

        result.Denied();
        Assert.Contains("template: probe:4:", result.Denied().Message, StringComparison.Ordinal);
        Assert.Contains("can't evaluate field ServiceAccount in type *inject.SidecarTemplateData (a field of the data istiod's gateway controller renders Gateway deployment templates with", result.Denied().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_top_level_field_is_an_error()
    {
        var result = TemplateDataProbe.Inject("{{ .NoSuchData.X }}\n");

        result.Denied();
        Assert.Contains("template: probe:1:", result.Denied().Message, StringComparison.Ordinal);
    }
}
