using Injector.Core.Config;

namespace Injector.Webhook;

/// <summary>Reads the files of a <see cref="ConfigSources"/> into <see cref="ConfigTexts"/>: the only file I/O of configuration loading.</summary>
public static class ConfigFiles
{
    /// <summary>
    /// The largest configuration file read. A ConfigMap holds at most 1 MiB; anything far larger is a mistake
    /// (a wrong mount, a log file) that must not be parsed into memory.
    /// </summary>
    public const long MaxFileBytes = 8 * 1024 * 1024;

    /// <summary>The files a source set names, in load order: the config dir's <c>config</c>, <c>values</c>, <c>mesh</c>, then the single-file flags.</summary>
    public static IReadOnlyList<string> Paths(ConfigSources sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var files = new List<string>();
        if (sources.ConfigDir is { } dir)
        {
            files.Add(Path.Combine(dir, "config"));
            files.Add(Path.Combine(dir, "values"));
            files.Add(Path.Combine(dir, "mesh"));
        }

        foreach (var file in new[] { sources.InjectConfigFile, sources.ValuesFile, sources.MeshFile, sources.OperatorFile })
        {
            if (file is not null)
            {
                files.Add(file);
            }
        }

        return files;
    }

    /// <summary>Reads every named file; a missing config-dir file is simply absent. Throws <see cref="ConfigException"/> naming the file.</summary>
    public static ConfigTexts Read(ConfigSources sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ConfigText? dirConfig = null, dirValues = null, dirMesh = null;
        if (sources.ConfigDir is { } dir)
        {
            if (!Directory.Exists(dir))
            {
                throw new ConfigException($"--config-dir {dir}: no such directory");
            }

            dirConfig = ReadOptional(Path.Combine(dir, "config"));
            dirValues = ReadOptional(Path.Combine(dir, "values"));
            dirMesh = ReadOptional(Path.Combine(dir, "mesh"));
        }

        return new ConfigTexts(
            dirConfig,
            dirValues,
            dirMesh,
            sources.InjectConfigFile is { } injectConfig ? ReadRequired(injectConfig) : null,
            sources.ValuesFile is { } values ? ReadRequired(values) : null,
            sources.MeshFile is { } mesh ? ReadRequired(mesh) : null,
            sources.Sets,
            sources.NativeSidecars,
            sources.Platform,
            sources.OperatorFile is { } operatorFile ? ReadRequired(operatorFile) : null,
            sources.Revision);
    }

    private static ConfigText? ReadOptional(string file) => File.Exists(file) ? ReadRequired(file) : null;

    private static ConfigText ReadRequired(string file)
    {
        try
        {
            if (Directory.Exists(file))
            {
                throw new ConfigException($"{file}: is a directory, want a file");
            }

            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (stream.CanSeek && stream.Length > MaxFileBytes)
            {
                throw new ConfigException($"{file}: {stream.Length} bytes is more than the limit of {MaxFileBytes} bytes for a configuration file");
            }

            return new ConfigText(file, BoundedText.Read(stream, MaxFileBytes)
                ?? throw new ConfigException($"{file}: more than the limit of {MaxFileBytes} bytes for a configuration file"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{file}: {e.Message}", e);
        }
    }
}
