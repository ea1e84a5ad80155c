using System.CommandLine;
using Injector;

var root = new RootCommand("injector: an Istio-compatible sidecar injector (mutating admission webhook and offline CLI)\n\n" + ExitCodes.Help);
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(InjectCommand.Create());
root.Subcommands.Add(ExplainCommand.Create());
root.Subcommands.Add(DefaultsCommand.Create());
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"error: {error.Message}");
    }

    Console.Error.WriteLine("see 'injector --help'");
    return ExitCodes.BadConfig;
}

try
{
    // No stack trace ever reaches the user: every command answers with a message and a named exit code.
    return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (OperationCanceledException)
{
    return ExitCodes.Ok;
}
#pragma warning disable CA1031 // The last line of defence: a message and an exit code instead of a stack trace.
catch (Exception e)
#pragma warning restore CA1031
{
    Console.Error.WriteLine($"error: internal-error: {e.GetType().Name}: {e.Message}");
    return e is IOException or UnauthorizedAccessException ? ExitCodes.IoError : ExitCodes.Denied;
}
