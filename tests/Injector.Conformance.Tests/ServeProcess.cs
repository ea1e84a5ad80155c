using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Injector.Conformance.Tests;

/// <summary>The CLI's <c>serve</c> on free loopback ports, its stdout collected line by line.</summary>
internal sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TestCertificates _certs;
    private readonly HttpClient _client;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _errors = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An HTTPS client of its <c>/inject</c> port that trusts its certificate.</summary>
    public HttpClient Client => _client;

    private ServeProcess(Process process, TestCertificates certs, HttpClient client)
    {
        _process = process;
        _certs = certs;
        _client = client;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                _lines.Enqueue(line);
            }
        };
        process.BeginOutputReadLine();

        // Read as it comes, so a server that writes much to stderr never blocks on a full pipe.
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                _errors.Enqueue(line);
            }
        };
        process.BeginErrorReadLine();
    }

    /// <summary>
    /// Starts <c>serve</c>; a start that loses its free ports to another process (they are free when chosen, and taken
    /// by the time the server binds) is tried again on new ports, at most <see cref="PortAttempts"/> times.
    /// </summary>
    public static async Task<ServeProcess> StartAsync(params string[] args)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (serve, errors) = await TryStartAsync(args);
            if (serve is not null)
            {
                return serve;
            }

            if (attempt == PortAttempts || !errors.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail($"serve exited: {errors}");
            }
        }
    }

    private const int PortAttempts = 5;

    /// <summary>The started server, or null and what it wrote to stderr when it exited before it was ready.</summary>
    private static async Task<(ServeProcess? Serve, string Errors)> TryStartAsync(string[] args)
    {
        var certs = new TestCertificates();
        var (port, health) = (FreePort(), FreePort());
        var start = InjectorProcess.Start(new[] { "serve", "--address", "127.0.0.1", "--port", $"{port}", "--health-port", $"{health}", "--tls-cert", certs.CertFile, "--tls-key", certs.KeyFile, "--shutdown-delay", "0" }.Concat(args));

        var serve = new ServeProcess(Process.Start(start)!, certs, certs.CreateClient(port));
        using var probe = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{health}/") };
        var until = Stopwatch.StartNew();
        while (until.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var ready = await probe.GetAsync("/readyz", Ct);
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return (serve, "");
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (serve._process.HasExited)
            {
                serve._process.WaitForExit();
                var errors = string.Join('\n', serve._errors);
                await serve.DisposeAsync();
                return (null, errors);
            }

            await Task.Delay(100, Ct);
        }

        await serve.DisposeAsync();
        throw new TimeoutException("injector serve was not ready in 30 s");
    }

    public async Task PostAsync(string review)
    {
        using var content = new StringContent(review, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await _client.PostAsync("/inject", content, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Stops the server (SIGTERM) and returns every line it wrote to stdout.</summary>
    public async Task<IReadOnlyList<string>> StopAsync()
    {
        // The console logger writes from a queue; give it a moment before asking the process to stop.
        await Task.Delay(300, Ct);
        Process.Start("kill", ["-TERM", $"{_process.Id}"])!.WaitForExit();
        Assert.True(_process.WaitForExit(TimeSpan.FromSeconds(30)), "serve did not stop in 30 s after SIGTERM");
        _process.WaitForExit();
        return [.. _lines];
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        _client.Dispose();
        _certs.Dispose();
        return ValueTask.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
