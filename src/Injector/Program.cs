using System.CommandLine;
using Injector;

var root = new RootCommand("injector: an Istio-compatible sidecar injector (mutating admission webhook and offline CLI)");
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(InjectCommand.Create());
return await root.Parse(args).InvokeAsync();
