using Injector.Fuzz;

return await FuzzProgram.RunAsync(args).ConfigureAwait(false);
