namespace Injector.Fuzz.Server;

/// <summary>How one server process ended while the fuzzer was using it.</summary>
internal sealed record ServerExit(int Generation, int Pid, int? ExitCode, IReadOnlyList<string> LastLines);

/// <summary>
/// Owns the server: copies the built folder away from the other engineer's rebuilds, starts it, notices when it has
/// died, restarts it (a bounded number of times) and always kills it at the end, also on Ctrl-C or an exception.
/// </summary>
internal sealed class ServerSupervisor : IDisposable
{
    /// <summary>More crashes than this and the run stops: the server cannot be fuzzed usefully any more.</summary>
    public const int MaxStarts = 25;

    private readonly string _serverDir;
    private readonly LocalCa _tls;
    private readonly ServerLog _log;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<ServerProcess> _all = [];
    private readonly List<ServerExit> _exits = [];
    private ServerProcess? _current;

    private ServerSupervisor(string serverDir, LocalCa tls, ServerLog log)
    {
        _serverDir = serverDir;
        _tls = tls;
        _log = log;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    public ServerProcess Current => _current ?? throw new InvalidOperationException("the server is not started");

    public int Starts { get; private set; }

    public IReadOnlyList<ServerExit> Exits
    {
        get
        {
            lock (_exits)
            {
                return [.. _exits];
            }
        }
    }

    /// <summary>The highest resident memory of any server process of this run, in MB.</summary>
    public double PeakRssMb
    {
        get
        {
            lock (_all)
            {
                return _all.Count == 0 ? 0 : _all.Max(p => p.Memory.PeakKb) / 1024.0;
            }
        }
    }

    /// <summary>The last resident memory sample of the latest server process, in MB.</summary>
    public double LastRssMb => (_current?.Memory.LastRssKb ?? 0) / 1024.0;

    public string ServerCopy => _serverDir;

    /// <summary>Copies <paramref name="builtDir"/> into <paramref name="workDir"/> and starts the copy.</summary>
    public static async Task<ServerSupervisor> StartAsync(string builtDir, string workDir, LocalCa tls, ServerLog log, CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(builtDir, "injector.dll")))
        {
            throw new SetupException($"no injector.dll in {builtDir}: build the server first (dotnet build src/Injector -c Release)");
        }

        var copy = Path.Combine(workDir, "server");
        CopyTree(builtDir, copy);
        var supervisor = new ServerSupervisor(copy, tls, log);
        try
        {
            await supervisor.StartNextAsync(ct).ConfigureAwait(false);
            return supervisor;
        }
        catch
        {
            supervisor.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Called after a request on <paramref name="used"/> failed or on a periodic check. When that server has died, the
    /// first caller to see it records the exit, restarts the server and gets the exit back to report; later callers
    /// get <c>Dead: true</c> without an exit. A live server gives <c>Dead: false</c>.
    /// </summary>
    public async Task<(bool Dead, ServerExit? FirstReport)> RestartIfDeadAsync(ServerProcess used, TimeSpan grace, CancellationToken ct)
    {
        // A connection refused may come a moment before the process is reaped.
        if (!used.WaitForExit(grace))
        {
            return (false, null);
        }

        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!ReferenceEquals(_current, used))
            {
                return (true, null);
            }

            var exit = new ServerExit(used.Generation, used.Pid, used.ExitCode, _log.Tail(20));
            lock (_exits)
            {
                _exits.Add(exit);
            }

            used.Kill();
            if (Starts >= MaxStarts)
            {
                throw new SetupException($"the server died {Starts} times; giving up");
            }

            await StartNextAsync(ct).ConfigureAwait(false);
            return (true, exit);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>At the end of the run: records the current server's exit, without a restart, when it is dead.</summary>
    public ServerExit? RecordExitIfDead()
    {
        if (_current is not { HasExited: true } dead)
        {
            return null;
        }

        var exit = new ServerExit(dead.Generation, dead.Pid, dead.ExitCode, _log.Tail(20));
        lock (_exits)
        {
            _exits.Add(exit);
        }

        return exit;
    }

    /// <summary>Stops the current server (recording its memory high-water mark).</summary>
    public void Stop() => KillAll();

    public void Dispose()
    {
        KillAll();
        lock (_all)
        {
            foreach (var process in _all)
            {
                process.Dispose();
            }

            _all.Clear();
        }

        _gate.Dispose();

        // The copy is only there to be safe from rebuilds; the log and certificates beside it stay for the report.
        try
        {
            Directory.Delete(_serverDir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"fuzz: could not remove the server copy {_serverDir}: {e.Message}");
        }
    }

    private async Task StartNextAsync(CancellationToken ct)
    {
        Starts++;
        var process = await ServerProcess.StartAsync(_serverDir, _tls, _log, Starts, ct).ConfigureAwait(false);
        lock (_all)
        {
            _all.Add(process);
        }

        _current = process;
    }

    private void KillAll()
    {
        lock (_all)
        {
            foreach (var process in _all)
            {
                process.Kill();
            }
        }
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
        }
    }
}
