using System.CommandLine;
using Injector.Webhook;

namespace Injector;

/// <summary>The configuration flags <c>serve</c> and <c>inject</c> share; they build a <see cref="ConfigSources"/>.</summary>
internal sealed class ConfigOptions
{
    public Option<string[]> Set { get; } = new("--set") { Description = "An Istio setting path and value (values.global.proxy.image=x, meshConfig.defaultConfig.interceptionMode=TPROXY, components.cni.enabled=true); repeatable", AllowMultipleArgumentsPerToken = false };

    public Option<string?> ValuesFile { get; } = new("--values-file") { Description = "An IstioOperator file (spec.values, spec.meshConfig) or a values document" };

    public Option<string?> MeshFile { get; } = new("--mesh-file") { Description = "A MeshConfig document applied over the defaults" };

    public Option<string?> InjectConfig { get; } = new("--inject-config") { Description = "An injector config document (the istio-sidecar-injector ConfigMap's `config`)" };

    public Option<string?> ConfigDir { get; } = new("--config-dir") { Description = "A directory with the files config, values and mesh, as the ConfigMaps are mounted" };

    public Option<string> NativeSidecars { get; } = new("--native-sidecars") { Description = "Whether the cluster supports native sidecars: enabled or disabled", DefaultValueFactory = _ => "enabled" };

    public Option<string?> Platform { get; } = new("--platform") { Description = "The platform: openshift, or none" };

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

        foreach (var option in new Option[] { Set, ValuesFile, MeshFile, InjectConfig, ConfigDir, NativeSidecars, Platform })
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
        Platform: result.GetValue(Platform));
}
