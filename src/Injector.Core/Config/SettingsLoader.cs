using System.Reflection;
using System.Text.Json.Nodes;
using Injector.Documents;

namespace Injector.Core.Config;

/// <summary>
/// Builds an <see cref="InjectorSettings"/> from the embedded defaults and the overlays of <see cref="ConfigTexts"/>,
/// in this order: config dir, injector config file, IstioOperator/values file, mesh file, then <c>--set</c>.
/// It reads no file: the caller hands over the texts (so the webhook hashes exactly the bytes it loads).
/// A plain values document (config dir <c>values</c>, or a values file that is not an IstioOperator) replaces the
/// embedded values, as istiod uses its ConfigMap's values as they are; an IstioOperator's values and every mesh
/// document are overlays (Helm-style: maps merge, a null removes a key).
/// Every failure is a <see cref="ConfigException"/> naming the file or path at fault.
/// </summary>
public static class SettingsLoader
{
    /// <summary>The text of an embedded default document: <c>config</c>, <c>values</c> or <c>mesh</c>.</summary>
    public static string EmbeddedText(string name) => Embedded.Text(name + ".yaml");

    /// <summary>The embedded defaults alone.</summary>
    public static InjectorSettings Defaults() => Load(new ConfigTexts());

    public static InjectorSettings Load(ConfigTexts sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var values = Embedded.Document("values.yaml");
        var mesh = Embedded.Document("mesh.yaml");
        var defaultDiscovery = mesh["defaultConfig"]?["discoveryAddress"]?.ToString();
        var config = Embedded.Document("config.yaml");
        var templates = Embedded.Templates();

        string? configTemplates = null;
        if (sources.DirConfig is { } dirConfig)
        {
            OverlayConfig(config, ReadObject(dirConfig), dirConfig.Source, ref configTemplates);
        }

        if (sources.DirValues is { } dirValues)
        {
            // A mounted ConfigMap's values are complete, as istiod reads them: they replace the embedded defaults.
            Replace(values, ReadObject(dirValues));
        }

        if (sources.DirMesh is { } dirMesh)
        {
            JsonMerge.Into(mesh, ReadObject(dirMesh));
        }

        string? bareSidecar = null;
        if (sources.InjectConfig is { } injectConfig)
        {
            if (BareTemplate(injectConfig) is { } sidecar)
            {
                // istioctl's legacy form: the file is the sidecar template itself.
                bareSidecar = sidecar;
            }
            else
            {
                OverlayConfig(config, ReadObject(injectConfig), injectConfig.Source, ref configTemplates);
            }
        }

        if (sources.ValuesFile is { } valuesFile)
        {
            ApplyValuesFile(valuesFile, values, mesh);
        }

        if (sources.MeshFile is { } meshFile)
        {
            JsonMerge.Into(mesh, ReadObject(meshFile));
        }

        if (sources.OperatorFile is { } operatorFile)
        {
            // istioctl: "configs from files like meshConfigFile, valuesFile … will be overridden by iop config values".
            if (ReadObject(operatorFile)["kind"]?.ToString() != "IstioOperator")
            {
                throw new ConfigException($"{operatorFile.Source}: want an IstioOperator (kind: IstioOperator)");
            }

            ApplyValuesFile(operatorFile, values, mesh);
        }

        foreach (var set in sources.Sets ?? [])
        {
            SetFlag.Parse(set).ApplyTo(values, mesh);
        }

        if (sources.Revision is { } revision)
        {
            ApplyRevision(revision, values, mesh, defaultDiscovery);
        }

        var injection = InjectionConfig.FromJson(config, "config");
        injection = injection with
        {
            // The chart writes config.policy from values.global.proxy.autoInject; an explicit policy in a config document wins.
            Policy = config["policy"]?.ToString() ?? values["global"]?["proxy"]?["autoInject"]?.ToString() ?? "enabled",
            Templates = MergeTemplates(templates, injection.Templates, values, bareSidecar),
        };
        var origin = templates.Keys.ToDictionary(n => n, _ => "embedded", StringComparer.Ordinal);
        foreach (var name in injection.Templates.Keys.Where(n => !templates.ContainsKey(n) || !ReferenceEquals(templates[n], injection.Templates[n])))
        {
            origin[name] = configTemplates ?? "config";
        }

        foreach (var (name, _) in values["sidecarInjectorWebhook"]?["templates"] as JsonObject ?? [])
        {
            origin[name] = "values.sidecarInjectorWebhook.templates";
        }

        if (bareSidecar is not null)
        {
            origin[SidecarTemplate] = $"{sources.InjectConfig!.Source} (a bare sidecar template)";
        }

        return new InjectorSettings(injection, values, mesh, sources.NativeSidecars, sources.Platform) { TemplateSources = origin };
    }

    private const string SidecarTemplate = "sidecar";

    /// <summary>The keys of an injector config document; one with none of them is a bare template.</summary>
    private static readonly HashSet<string> ConfigKeys = new(StringComparer.Ordinal)
    {
        "policy", "template", "templates", "defaultTemplates", "alwaysInjectSelector", "neverInjectSelector", "injectedAnnotations", "aliases",
    };

    /// <summary>
    /// The text, when an injector config file is a template rather than a config, as istioctl kube-inject takes one:
    /// it does not parse as YAML but holds template actions (<c>{{</c> at line starts), or it is a pod fragment
    /// (<c>spec:</c> or <c>metadata:</c> at the top and none of a config's keys). A ConfigMap object is refused with
    /// what to pass instead; any other document is a config (a misspelt key stays an error-free overlay, as before).
    /// </summary>
    private static string? BareTemplate(ConfigText file)
    {
        JsonNode? doc;
        try
        {
            doc = GoYaml.Parse(file.Text, YamlLimits.Default);
        }
        catch (YamlFormatException)
        {
            return file.Text.Contains("{{", StringComparison.Ordinal) ? file.Text : null;
        }

        if (doc is not JsonObject o)
        {
            return null;
        }

        if (o["kind"]?.ToString() == "ConfigMap")
        {
            throw new ConfigException($"{file.Source}: a ConfigMap object; pass its data.config (kubectl get cm istio-sidecar-injector -o jsonpath='{{.data.config}}'), or mount it as --config-dir");
        }

        return (o.ContainsKey("spec") || o.ContainsKey("metadata")) && !o.Any(kv => ConfigKeys.Contains(kv.Key)) ? file.Text : null;
    }

    /// <summary>
    /// The revision this injector serves, as Istio's chart installs one: <c>values.revision</c> (empty for
    /// <c>default</c>), and the proxies' discovery address <c>istiod-REV</c> unless a mesh document set another.
    /// </summary>
    /// <param name="revision">The revision served.</param>
    /// <param name="values">The values, changed in place.</param>
    /// <param name="mesh">The mesh config, changed in place.</param>
    /// <param name="defaultDiscovery">The embedded mesh's discovery address: one still equal to it was set by no mesh document.</param>
    private static void ApplyRevision(string revision, JsonObject values, JsonObject mesh, string? defaultDiscovery)
    {
        if (!RevisionName.IsValid(revision))
        {
            throw new ConfigException($"--revision {revision}: want a DNS label (lower-case letters, digits and '-', at most 63 characters)");
        }

        var named = revision == RevisionName.Default ? "" : revision;
        values["revision"] = named;
        if (mesh["defaultConfig"] is JsonObject defaultConfig
            && defaultConfig["discoveryAddress"]?.ToString() is { } address
            && address == defaultDiscovery)
        {
            var service = named.Length == 0 ? "istiod" : $"istiod-{named}";
            defaultConfig["discoveryAddress"] = $"{service}{address[address.IndexOf('.', StringComparison.Ordinal)..]}";
        }
    }

    /// <summary>Embedded templates, then the config's own, then <c>values.sidecarInjectorWebhook.templates</c>; a later one of the same name wins.</summary>
    private static Dictionary<string, string> MergeTemplates(
        IReadOnlyDictionary<string, string> embedded,
        IReadOnlyDictionary<string, string> fromConfig,
        JsonObject values,
        string? bareSidecar)
    {
        var all = new Dictionary<string, string>(embedded, StringComparer.Ordinal);
        foreach (var (name, text) in fromConfig)
        {
            all[name] = text;
        }

        if (values["sidecarInjectorWebhook"]?["templates"] is JsonObject userTemplates)
        {
            foreach (var (name, text) in userTemplates)
            {
                all[name] = text?.ToString() ?? "";
            }
        }

        if (bareSidecar is not null)
        {
            all[SidecarTemplate] = bareSidecar;
        }

        return all;
    }

    private static void Replace(JsonObject target, JsonObject source)
    {
        target.Clear();
        foreach (var (key, value) in source)
        {
            target[key] = value?.DeepClone();
        }
    }

    /// <summary>A config document replaces the defaults key by key (its templates are added to the embedded ones, not merged inside).</summary>
    private static void OverlayConfig(JsonObject config, JsonObject overlay, string source, ref string? templatesSource)
    {
        if (overlay.ContainsKey("templates") || overlay.ContainsKey("template"))
        {
            templatesSource = source;
        }

        foreach (var (key, value) in overlay)
        {
            config[key] = value?.DeepClone();
        }
    }

    /// <summary>An IstioOperator (spec.values, spec.meshConfig, spec.components.cni) or a plain values document.</summary>
    private static void ApplyValuesFile(ConfigText file, JsonObject values, JsonObject mesh)
    {
        var doc = ReadObject(file);
        if (doc["kind"]?.ToString() != "IstioOperator" && doc["spec"] is null)
        {
            // A plain values document (the ConfigMap's `values`) is complete; an IstioOperator is an overlay.
            Replace(values, doc);
            return;
        }

        var spec = doc["spec"] as JsonObject ?? throw new ConfigException($"{file.Source}: IstioOperator without a spec map");
        if (spec["values"] is JsonObject v)
        {
            if (v["cni"] is JsonObject cni)
            {
                v = (JsonObject)v.DeepClone();
                v.Remove("cni");
                JsonMerge.Into(values, new JsonObject { ["pilot"] = new JsonObject { ["cni"] = cni.DeepClone() } });
            }

            JsonMerge.Into(values, v);
        }

        if (spec["meshConfig"] is JsonObject m)
        {
            JsonMerge.Into(mesh, m);
        }

        if (spec["components"]?["cni"]?["enabled"] is JsonValue cniEnabled)
        {
            JsonMerge.Into(values, new JsonObject { ["pilot"] = new JsonObject { ["cni"] = new JsonObject { ["enabled"] = cniEnabled.DeepClone() } } });
        }
    }

    private static JsonObject ReadObject(ConfigText file)
    {
        try
        {
            return GoYaml.Parse(file.Text, YamlLimits.Default) switch
            {
                JsonObject o => o,
                null => [],
                var other => throw new ConfigException($"{file.Source}: want a map at the top, got {other.GetValueKind()}"),
            };
        }
        catch (YamlFormatException e)
        {
            throw new ConfigException($"{file.Source}: {e.Message}", e);
        }
    }

    /// <summary>The defaults compiled into the assembly (Defaults/).</summary>
    internal static class Embedded
    {
        private const string Prefix = "Injector.Core.Defaults.";
        private static readonly Assembly Assembly = typeof(SettingsLoader).Assembly;

        public static JsonObject Document(string name) => GoYaml.Parse(Text(name)) as JsonObject
            ?? throw new InvalidOperationException($"embedded {name} is not a map");

        public static string Text(string name)
        {
            using var stream = Assembly.GetManifestResourceStream(Prefix + name)
                ?? throw new InvalidOperationException($"embedded resource {name} is missing");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }

        /// <summary>Every <c>Defaults/templates/NAME.yaml</c> as template NAME.</summary>
        public static Dictionary<string, string> Templates()
        {
            const string folder = Prefix + "templates.";
            return Assembly.GetManifestResourceNames()
                .Where(n => n.StartsWith(folder, StringComparison.Ordinal) && n.EndsWith(".yaml", StringComparison.Ordinal))
                .ToDictionary(
                    n => n[folder.Length..^".yaml".Length],
                    n => Text(n[Prefix.Length..]),
                    StringComparer.Ordinal);
        }
    }
}
