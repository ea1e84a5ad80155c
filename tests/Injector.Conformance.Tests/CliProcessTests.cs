using System.Diagnostics;

namespace Injector.Conformance.Tests;

/// <summary>The real <c>injector inject</c> executable, as a user runs it: output, warnings and exit codes.</summary>
public sealed class CliProcessTests
{
    private static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => RunIn(null, args);

    /// <summary>Runs the built CLI with the arguments, in a working directory (null: the test's).</summary>
    internal static (int ExitCode, string Stdout, string Stderr) RunIn(string? workingDirectory, IEnumerable<string> args)
    {
        var start = InjectorProcess.Start(args);
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "injector did not finish in 60 s");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Inject_writes_istios_golden_text()
    {
        Corpus.RequireOrSkip();

        var (code, stdout, stderr) = Run("inject", "-f", Corpus.PathOf("testdata/inject/hello.yaml"));

        Assert.True(code == 0, stderr);
        Assert.Equal(File.ReadAllText(Corpus.PathOf("testdata/inject/hello.yaml.injected")).Trim(), stdout.Trim());
    }

    [Fact]
    public void A_skipped_workload_warns_on_stderr()
    {
        Corpus.RequireOrSkip();

        var (code, _, stderr) = Run("inject", "-f", Corpus.PathOf("testdata/inject/hello-host-network-with-ns.yaml"));

        Assert.Equal(0, code);
        Assert.Contains("===> Skipping injection because Deployment \"sample/hello-host-network\" has host networking enabled", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_annotation_exits_1_naming_it()
    {
        Corpus.RequireOrSkip();

        var (code, stdout, stderr) = Run("inject", "-f", Corpus.PathOf("testdata/inject/traffic-annotations-bad-includeipranges.yaml"));

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: invalid-annotation: document 1 (Deployment ", stderr, StringComparison.Ordinal);
        Assert.Contains("invalid value 'bad' for annotation 'traffic.sidecar.istio.io/includeOutboundIPRanges'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void On_openshift_the_proxy_runs_as_the_top_of_the_namespace_range()
    {
        Corpus.RequireOrSkip();

        var (code, stdout, stderr) = Run(
            "inject", "-f", Corpus.PathOf("testdata/inject/hello.yaml"), "--platform", "openshift",
            "--namespace-annotation", "openshift.io/sa.scc.uid-range=1000620000/10000",
            "--namespace-annotation", "openshift.io/sa.scc.supplemental-groups=1000620000/10000");

        Assert.True(code == 0, stderr);
        Assert.Contains("runAsUser: 1000629999", stdout, StringComparison.Ordinal);
        Assert.Contains("runAsGroup: 1000629999", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("runAsUser: 1337", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_set_flag_exits_2_naming_the_path()
    {
        var input = Path.Combine(Path.GetTempPath(), $"pod-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(input, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: i\n");
        try
        {
            var (code, _, stderr) = Run("inject", "-f", input, "--set", "spec.bogus=1");

            Assert.Equal(2, code);
            Assert.Contains("unknown setting path 'spec.bogus'", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(input);
        }
    }
}
