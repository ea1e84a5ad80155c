using System.CommandLine;
using Injector.Webhook;

namespace Injector;

/// <summary>The configuration flags <c>serve</c> and <c>inject</c> share; they build a <see cref="ConfigSources"/>.</summary>
internal sealed class ConfigOptions
{
    public Option<string[]> Set { get; } = new("--set") { Description = "An Istio setting path and value (values.global.proxy.image=x, meshConfig.defaultConfig.interceptionMode=TPROXY, components.cni.enabled=true); repeatable", AllowMultipleArgumentsPerToken = false };

    public Option<string?> ValuesFile { get; } = new("--values-file", "--valuesFile") { Description = "An IstioOperator file (spec.values, spec.meshConfig) or a values document (the ConfigMap's `values`, complete)" };

    public Option<string?> MeshFile { get; } = new("--mesh-file", "--meshConfigFile") { Description = "A MeshConfig document applied over the defaults" };

    public Option<string?> InjectConfig { get; } = new("--inject-config", "--injectConfigFile") { Description = "An injector config document (the istio-sidecar-injector ConfigMap's `config`), or a bare sidecar template" };

    public Option<string?> OperatorFile { get; } = new("--operator-file", "--operatorFileName") { Description = "An IstioOperator whose spec.values and spec.meshConfig win over --values-file and --mesh-file" };

    public Option<string?> Revision { get; } = new("--revision", "-r") { Description = "The control-plane revision served (istio.io/rev); default: the values' revision, else default" };

    public Option<string?> ConfigDir { get; } = new("--config-dir") { Description = "A directory with the files config, values and mesh, as the ConfigMaps are mounted" };

    public Option<string> NativeSidecars { get; } = new("--native-sidecars") { Description = "Whether the cluster supports native sidecars: enabled or disabled", DefaultValueFactory = _ => "enabled" };

    public Option<string?> Platform { get; } = new("--platform") { Description = "The platform: openshift, or none (the default)" };

    /// <param name="command">The command to add the options to.</param>
    /// <param name="allowAuto">Whether <c>--native-sidecars auto</c> (detect from the cluster's nodes) is accepted.</param>
    public void AddTo(Command command, bool allowAuto = false)
    {
        if (allowAuto)
        {
            NativeSidecars.Description += "; auto: detect from the nodes' kubelet versions (in a cluster)";
            NativeSidecars.AcceptOnlyFromAmong("enabled", "disabled", "auto");
        }
        else
        {
            NativeSidecars.AcceptOnlyFromAmong("enabled", "disabled");
        }

        Platform.AcceptOnlyFromAmong("openshift", "none");
        foreach (var option in new Option[] { Set, ValuesFile, MeshFile, InjectConfig, OperatorFile, ConfigDir, NativeSidecars, Platform, Revision })
        {
            command.Options.Add(option);
        }
    }

    public bool NativeSidecarsIsAuto(ParseResult result) => result.GetValue(NativeSidecars) == "auto";

    public ConfigSources Read(ParseResult result) => new(
        ConfigDir: result.GetValue(ConfigDir),
        InjectConfigFile: result.GetValue(InjectConfig),
        ValuesFile: result.GetValue(ValuesFile),
        MeshFile: result.GetValue(MeshFile),
        Sets: result.GetValue(Set) ?? [],
        NativeSidecars: result.GetValue(NativeSidecars) != "disabled",
        Platform: result.GetValue(Platform) is "none" ? null : result.GetValue(Platform),
        OperatorFile: result.GetValue(OperatorFile),
        Revision: result.GetValue(Revision));
}
