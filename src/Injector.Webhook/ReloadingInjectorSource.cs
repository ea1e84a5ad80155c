using System.Security.Cryptography;
using System.Text;
using Injector.Core;
using Injector.Core.Config;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook;

/// <summary>
/// Hands out the injector built from the configuration files in force and rebuilds it when their bytes change.
/// It polls by content hash (like <see cref="CertificateReloader"/>) because ConfigMap volumes swap a <c>..data</c>
/// symlink that file watchers miss. The files are read once per poll and the hash is taken over exactly the text that
/// is loaded. A new configuration that does not load (a <see cref="ConfigException"/>, a YAML error, a limit, or a
/// template that fails to parse) is refused with a logged error and the last good one stays in force.
/// The request path reads one volatile field: no locks.
/// </summary>
public sealed class ReloadingInjectorSource : IPodInjectorSource, IDisposable, IPoller
{
    /// <summary>How often the files are checked by default.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    private readonly ConfigSources _sources;
    private readonly ILogger _logger;
    private readonly Lock _reloadLock = new();
    private readonly IReadOnlyList<string> _files;
    private volatile IPodInjector _current;

    /// <summary>The texts of the configuration in force (read under the reload lock).</summary>
    private ConfigTexts _inForce;
    private byte[] _lastHash;
    private readonly PollingTimer _poller;
    private long _generation;

    /// <summary>Loads the configuration now; throws <see cref="ConfigException"/> when it cannot be used.</summary>
    /// <param name="sources">The configuration files and flags.</param>
    /// <param name="interval">How often the files are checked.</param>
    /// <param name="logger">Where reloads and refusals are logged.</param>
    public ReloadingInjectorSource(ConfigSources sources, TimeSpan interval, ILogger<ReloadingInjectorSource> logger)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _sources = sources;
        _poller = new PollingTimer(interval, () => TryReload(), e => WebhookLog.ConfigReloadFailed(logger, e, ""));
        _logger = logger;
        _files = ConfigFiles.Paths(sources);

        var texts = ConfigFiles.Read(sources);
        _lastHash = Hash(texts);
        _current = InjectorFactory.Build(texts);
        _inForce = texts;
        _status = new ConfigStatus(Convert.ToHexStringLower(_lastHash.AsSpan(0, 6)), DateTimeOffset.UtcNow, null);
        _generation = 1;
        WebhookLog.ConfigReloaded(_logger, 1, Describe(), Convert.ToHexStringLower(_lastHash.AsSpan(0, 6)));
    }

    /// <summary>The injector of the configuration in force.</summary>
    public IPodInjector Current => _current;

    /// <summary>How many configurations have taken effect (1 after the first load).</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>The files whose content is hashed: the config dir's <c>config</c>, <c>values</c>, <c>mesh</c>, then the single-file flags.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>The in-force configuration's content hash (12 hex digits, as logged), when it was loaded, and the last refused reload.</summary>
    public ConfigStatus Status => _status;

    private volatile ConfigStatus _status = new("", DateTimeOffset.UtcNow, null);

    /// <summary>Raised after a new configuration is in force.</summary>
    public event Action<IPodInjector>? Reloaded;

    /// <summary>
    /// Reads the files; when their bytes differ from the last attempt, builds a new injector and swaps it in.
    /// Returns true when a new configuration is now in force. A refused configuration is not retried until the bytes change again.
    /// </summary>
    public bool TryReload()
    {
        lock (_reloadLock)
        {
            ConfigTexts? texts = null;
            byte[] hash;
            string? unreadable = null;
            try
            {
                texts = ConfigFiles.Read(_sources);
                if (_nativeSidecars is { } native)
                {
                    texts = texts with { NativeSidecars = native };
                }

                hash = Hash(texts);
            }
            catch (ConfigException e)
            {
                // Unreadable counts as its own state, so the refusal is logged once, not at every poll.
                unreadable = e.Message;
                hash = SHA256.HashData(Encoding.UTF8.GetBytes("unreadable\0" + e.Message));
            }

            if (hash.AsSpan().SequenceEqual(_lastHash))
            {
                return false;
            }

            _lastHash = hash;
            var shortHash = Convert.ToHexStringLower(hash.AsSpan(0, 6));
            if (unreadable is not null)
            {
                WebhookLog.ConfigReloadRefused(_logger, unreadable, shortHash);
                _status = _status with { LastRefused = new RefusedReload(shortHash, DateTimeOffset.UtcNow, unreadable) };
                return false;
            }

            IPodInjector next;
            try
            {
                next = InjectorFactory.Build(texts!);
            }
            catch (ConfigException e)
            {
                WebhookLog.ConfigReloadRefused(_logger, e.Message, shortHash);
                _status = _status with { LastRefused = new RefusedReload(shortHash, DateTimeOffset.UtcNow, e.Message) };
                return false;
            }
#pragma warning disable CA1031 // Any failure to build refuses the new configuration; the last good one stays in force.
            catch (Exception e)
#pragma warning restore CA1031
            {
                WebhookLog.ConfigReloadFailed(_logger, e, shortHash);
                _status = _status with { LastRefused = new RefusedReload(shortHash, DateTimeOffset.UtcNow, $"internal error ({e.GetType().Name})") };
                return false;
            }

            InForce(next, texts!, shortHash, Describe());
            return true;
        }
    }

    /// <summary>Puts a built injector in force (under the reload lock): the one place the generation moves.</summary>
    private void InForce(IPodInjector next, ConfigTexts texts, string shortHash, string describe)
    {
        _current = next;
        _inForce = texts;
        _status = _status with { Hash = shortHash, LoadedAt = DateTimeOffset.UtcNow };
        var generation = Interlocked.Increment(ref _generation);
        WebhookLog.ConfigReloaded(_logger, generation, describe, shortHash);
        Reloaded?.Invoke(next);
    }

    /// <summary>What the nodes support, once known; read and written under the reload lock.</summary>
    private bool? _nativeSidecars;

    /// <summary>
    /// The cluster's nodes changed what they support (<c>--native-sidecars auto</c>): the configuration is built again
    /// with native sidecars on or off, from the files as they are now. Returns true when a new injector is in force.
    /// </summary>
    public bool SetNativeSidecars(bool native)
    {
        lock (_reloadLock)
        {
            if (_nativeSidecars == native)
            {
                return false;
            }

            _nativeSidecars = native;
            if (TryReload())
            {
                return true;
            }

            if (_inForce.NativeSidecars == native)
            {
                return false;
            }

            // The files on disk are refused right now: the configuration in force is built again with the nodes' new
            // mode, so a node that joins is never sent sidecars it cannot run.
            try
            {
                var texts = _inForce with { NativeSidecars = native };
                InForce(InjectorFactory.Build(texts), texts, _status.Hash, Describe() + (native ? " (native sidecars)" : " (classic sidecars)"));
                return true;
            }
#pragma warning disable CA1031 // It built before with the other mode; if it does not now, the one in force stays.
            catch (Exception e)
#pragma warning restore CA1031
            {
                WebhookLog.ConfigReloadFailed(_logger, e, _status.Hash);
                _status = _status with { LastRefused = new RefusedReload(_status.Hash, DateTimeOffset.UtcNow, $"rebuilding with native sidecars {(native ? "on" : "off")}: internal error ({e.GetType().Name})") };
                return false;
            }
        }
    }

    /// <summary>Starts polling every interval (the first poll happens after one interval).</summary>
    public void Start() => _poller.Start();

    /// <summary>Stops polling.</summary>
    public void Stop() => _poller.Stop();

    public void Dispose() => _poller.Dispose();

    private string Describe() => _files.Count == 0 ? "the embedded defaults" : string.Join(", ", _files);

    /// <summary>SHA-256 over each document's source, presence and text: exactly what is loaded.</summary>
    private static byte[] Hash(ConfigTexts texts)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // The cluster's native-sidecar support is part of what is built, so a change of it is a new configuration.
        sha.AppendData([texts.NativeSidecars ? (byte)1 : (byte)0]);
        foreach (var text in new[] { texts.DirConfig, texts.DirValues, texts.DirMesh, texts.InjectConfig, texts.ValuesFile, texts.MeshFile })
        {
            if (text is null)
            {
                sha.AppendData([0]);
                continue;
            }

            var bytes = Encoding.UTF8.GetBytes(text.Text);
            sha.AppendData([1]);
            sha.AppendData(Encoding.UTF8.GetBytes(text.Source));
            sha.AppendData(BitConverter.GetBytes(bytes.LongLength));
            sha.AppendData(bytes);
        }

        return sha.GetHashAndReset();
    }
}

/// <summary>What the console's Configuration page shows of the configuration in force.</summary>
public sealed record ConfigStatus(string Hash, DateTimeOffset LoadedAt, RefusedReload? LastRefused);

/// <summary>A configuration that did not load: its hash, when, and why (the previous one stayed in force).</summary>
public sealed record RefusedReload(string Hash, DateTimeOffset At, string Reason);
