using Injector.Core.Config;

namespace Injector.Testing;

/// <summary>Reads configuration files into the texts the core loads (the core itself reads no files).</summary>
internal static class TestConfig
{
    public static InjectorSettings Load(
        string? configDir = null,
        string? injectConfigFile = null,
        string? valuesFile = null,
        string? meshFile = null,
        IReadOnlyList<string>? sets = null,
        bool nativeSidecars = true,
        string? platform = null) =>
        SettingsLoader.Load(Texts(configDir, injectConfigFile, valuesFile, meshFile, sets, nativeSidecars, platform));

    public static ConfigTexts Texts(
        string? configDir = null,
        string? injectConfigFile = null,
        string? valuesFile = null,
        string? meshFile = null,
        IReadOnlyList<string>? sets = null,
        bool nativeSidecars = true,
        string? platform = null) => new(
        Optional(configDir, "config"),
        Optional(configDir, "values"),
        Optional(configDir, "mesh"),
        Required(injectConfigFile),
        Required(valuesFile),
        Required(meshFile),
        sets,
        nativeSidecars,
        platform);

    private static ConfigText? Optional(string? dir, string name) =>
        dir is not null && File.Exists(Path.Combine(dir, name)) ? new ConfigText(Path.Combine(dir, name), File.ReadAllText(Path.Combine(dir, name))) : null;

    private static ConfigText? Required(string? file) => file is null ? null : new ConfigText(file, File.ReadAllText(file));
}
