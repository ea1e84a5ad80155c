using System.Security.Cryptography;
using System.Text;
using Injector.Core;
using Injector.Core.Config;
using Injector.Core.Platform;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook;

/// <summary>
/// Hands out the injector built from the configuration files in force and rebuilds it when their bytes change.
/// It polls by content hash (like <see cref="CertificateReloader"/>) because ConfigMap volumes swap a <c>..data</c>
/// symlink that file watchers miss. A new configuration that does not load (a <see cref="ConfigException"/>, a YAML
/// error, or a template that fails to parse) is refused with a logged error and the last good one stays in force.
/// The request path reads one volatile field: no locks.
/// </summary>
public sealed class ReloadingInjectorSource : IPodInjectorSource, IDisposable
{
    /// <summary>How often the files are checked by default.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    private readonly ConfigSources _sources;
    private readonly ILogger _logger;
    private readonly Lock _reloadLock = new();
    private readonly string[] _files;
    private readonly INamespaceAnnotations? _namespaces;
    private volatile IPodInjector _current;
    private byte[] _lastHash;
    private readonly PollingTimer _poller;
    private long _generation;

    /// <summary>Loads the configuration now; throws <see cref="ConfigException"/> when it cannot be used.</summary>
    /// <param name="sources">The configuration files and flags.</param>
    /// <param name="interval">How often the files are checked.</param>
    /// <param name="logger">Where reloads and refusals are logged.</param>
    /// <param name="namespaces">Namespace annotations from the cluster (OpenShift UID ranges), or null.</param>
    public ReloadingInjectorSource(ConfigSources sources, TimeSpan interval, ILogger<ReloadingInjectorSource> logger, INamespaceAnnotations? namespaces = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _sources = sources;
        _namespaces = namespaces;
        _poller = new PollingTimer(interval, () => TryReload(), e => WebhookLog.ConfigReloadFailed(logger, e, ""));
        _logger = logger;
        _files = WatchedFiles(sources);

        // Hash first, then load: a change that lands in between is picked up by the next poll.
        _lastHash = Hash(_files);
        _current = Build(sources, namespaces);
        _generation = 1;
        WebhookLog.ConfigReloaded(_logger, 1, _files.Length == 0 ? "the embedded defaults" : string.Join(", ", _files), Convert.ToHexStringLower(_lastHash.AsSpan(0, 6)));
    }

    /// <summary>The injector of the configuration in force.</summary>
    public IPodInjector Current => _current;

    /// <summary>How many configurations have taken effect (1 after the first load).</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>The files whose content is hashed: the config dir's <c>config</c>, <c>values</c>, <c>mesh</c>, then the single-file flags.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>Raised after a new configuration is in force.</summary>
    public event Action<IPodInjector>? Reloaded;

    /// <summary>
    /// Builds an injector from <paramref name="sources"/>, refusing a configuration with templates that fail to parse.
    /// Every failure is a <see cref="ConfigException"/> that names the problem.
    /// </summary>
    public static PodInjector Build(ConfigSources sources, INamespaceAnnotations? namespaces = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var injector = new PodInjector(SettingsLoader.Load(sources), namespaces);
        if (injector.BrokenTemplates.Count > 0)
        {
            var problems = injector.BrokenTemplates
                .OrderBy(b => b.Key, StringComparer.Ordinal)
                .Select(b => $"template {b.Key}: {b.Value}");
            throw new ConfigException(string.Join("; ", problems));
        }

        return injector;
    }

    /// <summary>
    /// Reads the files; when their bytes differ from the last attempt, builds a new injector and swaps it in.
    /// Returns true when a new configuration is now in force. A refused configuration is not retried until the bytes change again.
    /// </summary>
    public bool TryReload()
    {
        lock (_reloadLock)
        {
            var hash = Hash(_files);
            if (hash.AsSpan().SequenceEqual(_lastHash))
            {
                return false;
            }

            _lastHash = hash;
            IPodInjector next;
            try
            {
                next = Build(_sources, _namespaces);
            }
            catch (ConfigException e)
            {
                WebhookLog.ConfigReloadRefused(_logger, e.Message, Convert.ToHexStringLower(hash.AsSpan(0, 6)));
                return false;
            }
#pragma warning disable CA1031 // Any failure to build refuses the new configuration; the last good one stays in force.
            catch (Exception e)
#pragma warning restore CA1031
            {
                WebhookLog.ConfigReloadFailed(_logger, e, Convert.ToHexStringLower(hash.AsSpan(0, 6)));
                return false;
            }

            _current = next;
            var generation = Interlocked.Increment(ref _generation);
            WebhookLog.ConfigReloaded(_logger, generation, _files.Length == 0 ? "the embedded defaults" : string.Join(", ", _files), Convert.ToHexStringLower(hash.AsSpan(0, 6)));
            Reloaded?.Invoke(next);
            return true;
        }
    }

    /// <summary>Starts polling every interval (the first poll happens after one interval).</summary>
    public void Start() => _poller.Start();

    /// <summary>Stops polling.</summary>
    public void Stop() => _poller.Stop();

    public void Dispose() => _poller.Dispose();

    private static string[] WatchedFiles(ConfigSources sources)
    {
        var files = new List<string>();
        if (sources.ConfigDir is { } dir)
        {
            files.Add(Path.Combine(dir, "config"));
            files.Add(Path.Combine(dir, "values"));
            files.Add(Path.Combine(dir, "mesh"));
        }

        foreach (var file in new[] { sources.InjectConfigFile, sources.ValuesFile, sources.MeshFile })
        {
            if (file is not null)
            {
                files.Add(file);
            }
        }

        return [.. files];
    }

    /// <summary>SHA-256 over each file's name, presence and bytes (through symlinks, so a <c>..data</c> swap changes it).</summary>
    private static byte[] Hash(string[] files)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(file));
            byte[]? bytes;
            try
            {
                bytes = File.Exists(file) ? File.ReadAllBytes(file) : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Unreadable counts as its own state; loading will report why.
                bytes = Encoding.UTF8.GetBytes("unreadable: " + e.Message);
                sha.AppendData([2]);
            }

            if (bytes is null)
            {
                sha.AppendData([0]);
                continue;
            }

            sha.AppendData([1]);
            sha.AppendData(BitConverter.GetBytes(bytes.LongLength));
            sha.AppendData(bytes);
        }

        return sha.GetHashAndReset();
    }
}
