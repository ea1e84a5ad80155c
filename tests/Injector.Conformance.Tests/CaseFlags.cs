using System.Security.Cryptography;
using System.Text;

namespace Injector.Conformance.Tests;

/// <summary>
/// A corpus case's settings as the executable's flags, the ones <c>serve</c> and <c>inject</c> share: the same
/// <see cref="Injector.Webhook.ConfigSources"/> <see cref="CaseRunner.InjectorFor"/> builds in process.
/// </summary>
internal static class CaseFlags
{
    /// <param name="c">The case.</param>
    /// <param name="config">Embedded templates, or Istio's ConfigMap as the config dir.</param>
    /// <param name="scratch">A folder for the mesh overlay's file, named after its content so equal settings give equal flags.</param>
    public static IReadOnlyList<string> Settings(CorpusCase c, CaseConfig config, string scratch)
    {
        var flags = new List<string>();
        if (config == CaseConfig.DropIn)
        {
            flags.AddRange(["--config-dir", Corpus.PathOf("dropin")]);
        }

        if (c.ValuesFile is { } values)
        {
            flags.AddRange(["--values-file", Corpus.PathOf(values)]);
        }

        if (CaseRunner.MeshJson(c) is { } mesh)
        {
            var file = Path.Combine(scratch, $"mesh-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(mesh)))[..16]}.json");
            File.WriteAllText(file, mesh);
            flags.AddRange(["--mesh-file", file]);
        }

        foreach (var set in c.Set)
        {
            flags.AddRange(["--set", set]);
        }

        flags.AddRange(["--native-sidecars", c.NativeSidecars ? "enabled" : "disabled"]);
        if (c.Platform is { } platform)
        {
            flags.AddRange(["--platform", platform]);
        }

        return flags;
    }

    /// <summary><c>inject</c>'s whole command line for the case: its settings, the namespace's annotations and the input.</summary>
    public static IReadOnlyList<string> Inject(CorpusCase c, CaseConfig config, string scratch)
    {
        var args = new List<string> { "inject" };
        args.AddRange(Settings(c, config, scratch));
        foreach (var (key, value) in CaseRunner.NamespaceAnnotations(c) ?? new Dictionary<string, string>())
        {
            args.AddRange(["--namespace-annotation", $"{key}={value}"]);
        }

        args.AddRange(["-f", Corpus.PathOf(c.Input)]);
        return args;
    }
}
