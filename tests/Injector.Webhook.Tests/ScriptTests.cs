using System.Diagnostics;

namespace Injector.Webhook.Tests;

/// <summary>
/// <c>make image</c> (scripts/image.sh) and <c>make e2e</c> (scripts/e2e.sh) cannot run here, but they must stop at
/// once with a clear message when a tool is missing. Each runs with PATH holding only stub tools.
/// </summary>
public sealed class ScriptTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task E2e_stops_at_once_naming_kind_when_kind_is_missing()
    {
        using var bin = new StubBin(("docker", 0), ("kubectl", 0), ("curl", 0), ("helm", 0));

        var (code, stderr) = await Run("scripts/e2e.sh", bin);

        Assert.Equal(1, code);
        Assert.Contains("missing required tools", stderr, StringComparison.Ordinal);
        Assert.Contains("kind (https://kind.sigs.k8s.io", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("docker (", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("kubectl (", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task E2e_names_every_missing_tool()
    {
        using var bin = new StubBin();

        var (code, stderr) = await Run("scripts/e2e.sh", bin);

        Assert.Equal(1, code);
        Assert.Contains("docker (", stderr, StringComparison.Ordinal);
        Assert.Contains("kind (", stderr, StringComparison.Ordinal);
        Assert.Contains("kubectl (", stderr, StringComparison.Ordinal);
        Assert.Contains("helm or istioctl", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task E2e_stops_when_the_docker_engine_is_not_running()
    {
        using var bin = new StubBin(("docker", 1), ("kind", 0), ("kubectl", 0), ("curl", 0), ("istioctl", 0));

        var (code, stderr) = await Run("scripts/e2e.sh", bin);

        Assert.Equal(1, code);
        Assert.Contains("docker engine is not running", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Image_stops_when_the_docker_engine_is_not_running()
    {
        using var bin = new StubBin(("docker", 1));

        var (code, stderr) = await Run("scripts/image.sh", bin);

        Assert.Equal(1, code);
        Assert.Contains("docker engine is not running", stderr, StringComparison.Ordinal);
        Assert.Contains("'docker info' failed", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Image_stops_when_docker_is_not_installed()
    {
        using var bin = new StubBin();

        var (code, stderr) = await Run("scripts/image.sh", bin);

        Assert.Equal(1, code);
        Assert.Contains("docker is not installed", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cluster_certs_script_parses()
    {
        using var bin = new StubBin();

        var (code, stderr) = await Run("certs/cluster-certs.sh", bin, "-n");

        Assert.True(code == 0, stderr);
    }

    /// <summary>Runs a repository script with bash and PATH set to <paramref name="bin"/> only (bounded to 30 s).</summary>
    private static async Task<(int Code, string Stderr)> Run(string script, StubBin bin, string? bashFlag = null)
    {
        var bash = new[] { "/bin/bash", "/usr/bin/bash" }.FirstOrDefault(File.Exists);
        if (bash is null)
        {
            Assert.Skip("bash is not installed");
        }

        var info = new ProcessStartInfo(bash)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (bashFlag is not null)
        {
            info.ArgumentList.Add(bashFlag);
        }

        info.ArgumentList.Add(Path.Combine(Repository.Root, script));
        info.Environment["PATH"] = bin.Dir;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        await stdout;
        return (process.ExitCode, await stderr);
    }

    /// <summary>A directory of stub executables, each exiting with a fixed code whatever its arguments.</summary>
    private sealed class StubBin : IDisposable
    {
        public StubBin(params (string Name, int ExitCode)[] tools)
        {
            foreach (var (name, exitCode) in tools)
            {
                var path = Path.Combine(Dir, name);
                File.WriteAllText(path, $"#!/bin/sh\nexit {exitCode}\n");
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }
        }

        public string Dir { get; } = Directory.CreateTempSubdirectory("injector-stub-bin-").FullName;

        public void Dispose() => Directory.Delete(Dir, recursive: true);
    }
}
