using Injector.Core.Config;

namespace Injector.Core.Tests;

/// <summary>What istioctl kube-inject users bring: a bare sidecar template as the inject config, an IstioOperator file, a revision.</summary>
public sealed class IstioctlInputsTests
{
    private const string BareTemplate = """
        spec:
          containers:
          - name: istio-proxy
            image: proxy:{{ .Values.global.tag }}
        """;

    private const string BareTemplateWithActions = """
        {{- if true }}
        spec:
          containers:
          - name: istio-proxy
            image: proxy:bare
        {{- end }}
        """;

    [Theory]
    [InlineData(BareTemplate)]
    [InlineData(BareTemplateWithActions)]
    public void An_inject_config_that_is_a_template_becomes_the_sidecar_template(string text)
    {
        var settings = SettingsLoader.Load(new ConfigTexts(InjectConfig: new ConfigText("inject.yaml", text)));

        Assert.Equal(text, settings.Config.Templates["sidecar"]);
        var injected = new PodInjector(settings).Inject(new InjectionRequest(Pods.Hello(), "default", InjectionDoor.Webhook, [])).Injected().Pod;
        Assert.StartsWith("proxy:", injected["spec"]!["containers"]!.AsArray().Single(c => c!["name"]!.ToString() == "istio-proxy")!["image"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Each_template_says_where_it_came_from()
    {
        Assert.Equal("embedded", SettingsLoader.Defaults().TemplateSources["sidecar"]);

        var settings = SettingsLoader.Load(new ConfigTexts(
            DirConfig: new ConfigText("/etc/istio/inject/config", "templates:\n  extra: |\n    metadata: {}\n"),
            DirValues: new ConfigText("/etc/istio/inject/values", "sidecarInjectorWebhook:\n  templates:\n    mine: 'metadata: {}'\n")));
        Assert.Equal("/etc/istio/inject/config", settings.TemplateSources["extra"]);
        Assert.Equal("values.sidecarInjectorWebhook.templates", settings.TemplateSources["mine"]);
        Assert.Equal("embedded", settings.TemplateSources["gateway"]);

        var bare = SettingsLoader.Load(new ConfigTexts(InjectConfig: new ConfigText("inject.yaml", BareTemplate)));
        Assert.Equal("inject.yaml (a bare sidecar template)", bare.TemplateSources["sidecar"]);
    }

    [Fact]
    public void A_ConfigMap_object_as_inject_config_says_what_to_pass()
    {
        var e = Assert.Throws<ConfigException>(() => SettingsLoader.Load(new ConfigTexts(InjectConfig: new ConfigText("cm.yaml", "apiVersion: v1\nkind: ConfigMap\ndata:\n  config: x\n"))));

        Assert.Contains("cm.yaml: a ConfigMap object; pass its data.config", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_with_only_misspelt_keys_is_not_taken_for_a_template()
    {
        var settings = SettingsLoader.Load(new ConfigTexts(InjectConfig: new ConfigText("inject.yaml", "polciy: disabled\n")));

        Assert.Equal(SettingsLoader.Defaults().Config.Templates["sidecar"], settings.Config.Templates["sidecar"]);
    }

    [Fact]
    public void An_inject_config_with_config_keys_is_a_config()
    {
        var settings = SettingsLoader.Load(new ConfigTexts(InjectConfig: new ConfigText("inject.yaml", "policy: disabled\n")));

        Assert.Equal("disabled", settings.Config.Policy);
        Assert.Equal(SettingsLoader.Defaults().Config.Templates["sidecar"], settings.Config.Templates["sidecar"]);
    }

    [Fact]
    public void The_operator_file_wins_over_the_values_and_mesh_files()
    {
        var settings = SettingsLoader.Load(new ConfigTexts(
            ValuesFile: new ConfigText("values.yaml", "global:\n  tag: from-values\n  suffix: kept\n"),
            MeshFile: new ConfigText("mesh.yaml", "defaultConfig:\n  binaryPath: /from/mesh\n"),
            OperatorFile: new ConfigText("iop.yaml", "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  meshConfig:\n    defaultConfig:\n      binaryPath: /from/iop\n  values:\n    global:\n      tag: from-iop\n")));

        Assert.Equal("from-iop", settings.Values["global"]!["tag"]!.ToString());
        Assert.Equal("kept", settings.Values["global"]!["suffix"]!.ToString());
        Assert.Equal("/from/iop", settings.Mesh["defaultConfig"]!["binaryPath"]!.ToString());
    }

    [Fact]
    public void An_operator_file_must_be_an_IstioOperator()
    {
        var e = Assert.Throws<ConfigException>(() => SettingsLoader.Load(new ConfigTexts(OperatorFile: new ConfigText("/tmp/values.yaml", "global:\n  tag: x\n"))));

        Assert.Contains("/tmp/values.yaml: want an IstioOperator", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("canary", "canary", "istiod-canary.istio-system.svc:15012")]
    [InlineData("default", "default", "istiod.istio-system.svc:15012")]
    public void A_revision_is_served_as_the_chart_installs_it(string revision, string recorded, string discovery)
    {
        var settings = SettingsLoader.Load(new ConfigTexts(Revision: revision));

        Assert.Equal(recorded, settings.Revision);
        Assert.Equal(discovery, settings.Mesh["defaultConfig"]!["discoveryAddress"]!.ToString());
        var pod = new PodInjector(settings).Inject(new InjectionRequest(Pods.Hello(), "default", InjectionDoor.Webhook, [])).Injected().Pod;
        Assert.Equal(recorded, pod["metadata"]!["annotations"]!["istio.io/rev"]!.ToString());
        Assert.Contains($"\"revision\":\"{recorded}\"", pod["metadata"]!["annotations"]!["sidecar.istio.io/status"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_mesh_documents_discovery_address_is_kept_for_a_revision()
    {
        var settings = SettingsLoader.Load(new ConfigTexts(MeshFile: new ConfigText("mesh.yaml", "defaultConfig:\n  discoveryAddress: pilot.example:15012\n"), Revision: "canary"));

        Assert.Equal("pilot.example:15012", settings.Mesh["defaultConfig"]!["discoveryAddress"]!.ToString());
    }

    [Theory]
    [InlineData("Canary")]
    [InlineData("-x")]
    [InlineData("a.b")]
    [InlineData("")]
    public void A_revision_that_is_not_a_DNS_label_is_refused(string revision)
    {
        var e = Assert.Throws<ConfigException>(() => SettingsLoader.Load(new ConfigTexts(Revision: revision)));

        Assert.Contains("--revision", e.Message, StringComparison.Ordinal);
    }
}
