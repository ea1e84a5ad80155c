using System.Diagnostics;
using System.Globalization;

namespace Injector.Fuzz.Server;

/// <summary>
/// One run of <c>dotnet injector.dll serve</c> on 127.0.0.1 with fresh free ports, its output sent to the
/// <see cref="ServerLog"/>, started only once <c>/readyz</c> answers 200 "ok" on the plain-HTTP health port.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;

    private ServerProcess(Process process, int generation, int httpsPort, int healthPort)
    {
        _process = process;
        Generation = generation;
        HttpsPort = httpsPort;
        HealthPort = healthPort;
        Pid = process.Id;
        Memory = new MemorySampler(process.Id);
        BaseUri = new Uri($"https://127.0.0.1:{httpsPort.ToString(CultureInfo.InvariantCulture)}/");
    }

    public int Generation { get; }

    public int HttpsPort { get; }

    public int HealthPort { get; }

    public int Pid { get; }

    public Uri BaseUri { get; }

    public MemorySampler Memory { get; }

    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Starts the server from <paramref name="serverDir"/> and waits until it is ready (at most 30 s).</summary>
    public static async Task<ServerProcess> StartAsync(string serverDir, LocalCa tls, ServerLog log, int generation, CancellationToken ct)
    {
        var (httpsPort, healthPort) = FreePorts.Pair();
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = serverDir,
        };
        foreach (var arg in new[]
        {
            Path.Combine(serverDir, "injector.dll"), "serve",
            "--address", "127.0.0.1",
            "--port", httpsPort.ToString(CultureInfo.InvariantCulture),
            "--health-port", healthPort.ToString(CultureInfo.InvariantCulture),
            "--tls-cert", tls.CertFile,
            "--tls-key", tls.KeyFile,
            "--shutdown-delay", "0",
        })
        {
            start.ArgumentList.Add(arg);
        }

        // Not in a cluster: the server must not find a service account and reach for an API server.
        start.Environment.Remove("KUBERNETES_SERVICE_HOST");
        start.Environment.Remove("KUBERNETES_SERVICE_PORT");

        log.Write($"=== fuzz: server start #{generation} at {DateTimeOffset.UtcNow:O}: https {httpsPort}, health {healthPort} ===");
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                log.Write(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                log.Write(e.Data);
            }
        };
        if (!process.Start())
        {
            process.Dispose();
            throw new SetupException("could not start dotnet");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, generation, httpsPort, healthPort);
        try
        {
            await server.WaitReadyAsync(ct).ConfigureAwait(false);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the process to end; true when it has.</summary>
    public bool WaitForExit(TimeSpan timeout) => _process.HasExited || _process.WaitForExit(timeout);

    /// <summary>Stops the server (the whole process tree) and records its last memory figures.</summary>
    public void Kill()
    {
        Memory.Stop();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        Memory.Dispose();
        _process.Dispose();
    }

    private async Task WaitReadyAsync(CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var readyz = new Uri($"http://127.0.0.1:{HealthPort.ToString(CultureInfo.InvariantCulture)}/readyz");
        var deadline = Stopwatch.StartNew();
        string last = "no answer yet";
        while (deadline.Elapsed < ReadyTimeout)
        {
            ct.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new SetupException($"the server exited with code {_process.ExitCode} before it was ready");
            }

            try
            {
                using var response = await http.GetAsync(readyz, ct).ConfigureAwait(false);
                var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                if ((int)response.StatusCode == 200 && text.Trim() == "ok")
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {text.Trim()}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                last = "readyz timed out";
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }

        throw new SetupException($"the server was not ready within {ReadyTimeout.TotalSeconds} s ({last})");
    }
}
