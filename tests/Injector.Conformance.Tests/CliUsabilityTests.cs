using System.Text.RegularExpressions;

namespace Injector.Conformance.Tests;

/// <summary>What a newcomer meets first: every command's help has examples, the defaults print, the README's CLI examples name files that exist and run.</summary>
public sealed partial class CliUsabilityTests
{
    [Theory]
    [InlineData("inject")]
    [InlineData("serve")]
    [InlineData("explain")]
    [InlineData("defaults")]
    public void Every_command_has_a_description_and_examples(string command)
    {
        var (code, stdout, _) = CliProcessTests.RunIn(null, [command, "--help"]);

        Assert.Equal(0, code);
        Assert.Contains("Examples:", stdout, StringComparison.Ordinal);
        Assert.Contains($"injector {command}", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_printed_defaults_are_a_configuration_that_loads_and_injects_the_same()
    {
        var dir = Directory.CreateTempSubdirectory("injector-defaults-").FullName;
        try
        {
            foreach (var name in new[] { "config", "values", "mesh" })
            {
                var (code, stdout, stderr) = CliProcessTests.RunIn(null, ["defaults", name]);
                Assert.True(code == 0, stderr);
                File.WriteAllText(Path.Combine(dir, name), stdout);
            }

            var example = Path.Combine(Corpus.RepositoryRoot(), "examples", "deployment.yaml");
            var embedded = CliProcessTests.RunIn(null, ["inject", "-f", example]);
            var fromDefaults = CliProcessTests.RunIn(null, ["inject", "-f", example, "--config-dir", dir]);

            Assert.Equal(0, fromDefaults.ExitCode);
            Assert.Equal(embedded.Stdout, fromDefaults.Stdout);
            Assert.Contains("name: istio-proxy", embedded.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Every_file_the_READMEs_commands_name_exists()
    {
        var root = Corpus.RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var named = RepositoryPath().Matches(readme).Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.NotEmpty(named);
        Assert.All(named, path => Assert.True(File.Exists(Path.Combine(root, path)) || Directory.Exists(Path.Combine(root, path)), $"README names {path}, which does not exist"));
    }

    [GeneratedRegex(@"-f ((?:examples|tests/golden/inputs)/[\w./-]+)")]
    private static partial Regex RepositoryPath();
}
