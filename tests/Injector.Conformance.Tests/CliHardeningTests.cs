using System.Diagnostics;
using System.Text;

namespace Injector.Conformance.Tests;

/// <summary>The real CLI against bad input: a message and a named exit code, never a stack trace, a hang or a crash.</summary>
public sealed class CliHardeningTests : IDisposable
{
    private const string Pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: NAME\nspec:\n  containers:\n  - name: c\n    image: i\n";

    private readonly string _dir = Directory.CreateTempSubdirectory("injector-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_folder_is_read_like_kubectl_apply_f_dir()
    {
        File.WriteAllText(Path.Combine(_dir, "b.yaml"), Pod.Replace("NAME", "second", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(_dir, "a.yml"), Pod.Replace("NAME", "first", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(_dir, "c.json"), """{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "third"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}""");
        File.WriteAllText(Path.Combine(_dir, "notes.txt"), "not yaml: [");
        Directory.CreateDirectory(Path.Combine(_dir, "sub"));
        File.WriteAllText(Path.Combine(_dir, "sub", "d.yaml"), Pod.Replace("NAME", "nested", StringComparison.Ordinal));

        var (code, stdout, stderr) = Run(null, "inject", "-f", _dir);

        Assert.True(code == 0, stderr);
        var names = stdout.Split('\n').Where(l => l.StartsWith("  name: ", StringComparison.Ordinal)).Select(l => l[8..]).ToList();
        Assert.Equal(["first", "second", "third"], names);
        Assert.Equal(3, stdout.Split("\n---\n").Count(d => d.Contains("name: istio-proxy", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_empty_folder_says_there_is_nothing_to_inject()
    {
        var (code, stdout, stderr) = Run(null, "inject", "-f", _dir);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("has no *.yaml, *.yml or *.json file: nothing to inject", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_stdin_says_so()
    {
        var (code, _, stderr) = Run("", "inject", "-f", "-");

        Assert.Equal(2, code);
        Assert.Contains("-f -: standard input is empty (or closed): nothing to inject", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Closed_stdin_says_so_and_does_not_hang()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "injector.dll");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"exec dotnet '{dll}' inject -f - <&-");

        var (code, _, stderr) = Wait(Process.Start(start)!);

        Assert.True(code is 2 or 3, $"exit {code}: {stderr}");
        Assert.StartsWith("error: -f -: ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Stdin_is_read()
    {
        var (code, stdout, stderr) = Run(Pod.Replace("NAME", "piped", StringComparison.Ordinal), "inject", "-f", "-");

        Assert.True(code == 0, stderr);
        Assert.Contains("name: istio-proxy", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_exits_3()
    {
        var (code, _, stderr) = Run(null, "inject", "-f", Path.Combine(_dir, "nope.yaml"));

        Assert.Equal(3, code);
        Assert.Contains("no such file or directory", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_flag_is_a_usage_error_exit_2()
    {
        var (code, _, stderr) = Run(null, "inject", "--bogus");

        Assert.Equal(2, code);
        Assert.Contains("error: ", stderr, StringComparison.Ordinal);
        Assert.Contains("see 'injector --help'", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata: [1]\nspec:\n  containers: []\n", "invalid-document", "metadata: want a map")]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    prometheus.io/port: 8080\nspec:\n  containers:\n  - name: c\n", "invalid-pod", "metadata.annotations[\"prometheus.io/port\"]: want a string, got the number 8080")]
    [InlineData("a: [1\n", "invalid-document", "invalid YAML")]
    public void A_bad_document_exits_1_with_the_reason_and_no_stack_trace(string yaml, string reason, string expected)
    {
        var file = Path.Combine(_dir, "bad.yaml");
        File.WriteAllText(file, yaml);

        var (code, stdout, stderr) = Run(null, "inject", "-f", file);

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"error: {reason}: document 1", stderr, StringComparison.Ordinal);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deeply_nested_file_is_refused_not_a_crash()
    {
        var file = Path.Combine(_dir, "deep.yaml");
        var text = new StringBuilder("apiVersion: v1\nkind: Pod\nmetadata:\n  labels: ");
        text.Append(string.Concat(Enumerable.Repeat("{a: ", 100_000))).Append('1').Append(string.Concat(Enumerable.Repeat("}", 100_000))).Append('\n');
        File.WriteAllText(file, text.ToString());

        var (code, _, stderr) = Run(null, "inject", "-f", file);

        Assert.Equal(1, code);
        Assert.Contains("nests deeper than the limit of 256 levels", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deeply_nested_mesh_file_is_a_configuration_error()
    {
        var mesh = Path.Combine(_dir, "mesh.yaml");
        File.WriteAllText(mesh, "defaultConfig: " + string.Concat(Enumerable.Repeat("[", 50_000)) + string.Concat(Enumerable.Repeat("]", 50_000)) + "\n");
        var pod = Path.Combine(_dir, "pod.yaml");
        File.WriteAllText(pod, Pod.Replace("NAME", "p", StringComparison.Ordinal));

        var (code, _, stderr) = Run(null, "inject", "-f", pod, "--mesh-file", mesh);

        Assert.Equal(2, code);
        Assert.Contains($"{mesh}: YAML error", stderr, StringComparison.Ordinal);
        Assert.Contains("nests deeper than the limit of 64 levels", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_documents_the_exit_codes()
    {
        var (code, stdout, _) = Run(null, "inject", "--help");

        Assert.Equal(0, code);
        Assert.Contains("Exit codes: 0 done; 1 a pod was denied or could not be injected (reason on stderr); 2 usage or configuration error; 3 input/output error.", stdout, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(string? stdin, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "injector.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        return Wait(process);
    }

    private static (int ExitCode, string Stdout, string Stderr) Wait(Process process)
    {
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("injector did not finish in 60 s");
            }

            return (process.ExitCode, stdout.Result, stderr.Result);
        }
    }
}
