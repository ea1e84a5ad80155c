using System.CommandLine;
using Injector.Core.Config;

namespace Injector;

/// <summary><c>injector defaults [config|values|mesh]</c>: the embedded defaults, to start a ConfigMap from.</summary>
internal static class DefaultsCommand
{
    public static Command Create()
    {
        var which = new Argument<string>("document") { Description = "config, values or mesh (default: all three, each under a comment)", DefaultValueFactory = _ => "all" };
        which.AcceptOnlyFromAmong("all", "config", "values", "mesh");
        var command = new Command("defaults", "Print the embedded defaults (the ConfigMap keys config, values and mesh) to start a configuration from\n\nExamples:\n  injector defaults values > values.yaml\n  injector defaults > defaults.yaml\n\n" + ExitCodes.Help);
        command.Arguments.Add(which);
        command.SetAction(result =>
        {
            var document = result.GetValue(which)!;
            foreach (var name in document == "all" ? new[] { "config", "values", "mesh" } : [document])
            {
                if (document == "all")
                {
                    Console.Out.WriteLine($"# --- {name} (the ConfigMap key '{name}') ---");
                }

                Console.Out.Write(SettingsLoader.EmbeddedText(name));
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
