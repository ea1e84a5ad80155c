using Injector.Core;
using Injector.Core.Config;

namespace Injector.Webhook;

/// <summary>
/// Builds the injector for every door (<c>serve</c>, <c>inject</c>, the tests) the same way, so all of them accept and
/// refuse the same configurations: read the files, load the settings, refuse templates that fail to parse.
/// </summary>
public static class InjectorFactory
{
    /// <summary>Reads and builds; every failure is a <see cref="ConfigException"/> that names the file or template.</summary>
    public static PodInjector Build(ConfigSources sources) => Build(ConfigFiles.Read(sources));

    /// <summary>Builds from texts already read; every failure is a <see cref="ConfigException"/>.</summary>
    public static PodInjector Build(ConfigTexts texts)
    {
        var injector = new PodInjector(SettingsLoader.Load(texts));
        if (injector.BrokenTemplates.Count > 0)
        {
            var problems = injector.BrokenTemplates
                .OrderBy(b => b.Key, StringComparer.Ordinal)
                .Select(b => $"template {b.Key}: {b.Value}");
            throw new ConfigException(string.Join("; ", problems));
        }

        return injector;
    }
}
