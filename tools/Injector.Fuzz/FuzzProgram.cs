using Injector.Fuzz.Running;

namespace Injector.Fuzz;

/// <summary>
/// The fuzzer's entry: parse the options, set up (certificates, a private copy of the server, seeds), run, report.
/// Exit 0 without findings, 1 with findings (503s included), 2 on usage or setup errors. The server is always killed.
/// </summary>
internal static class FuzzProgram
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (FuzzOptions.Parse(args, out var error) is not { } options)
        {
            await Console.Error.WriteLineAsync($"error: {error}\n{FuzzOptions.Usage}").ConfigureAwait(false);
            return 2;
        }

        if (options.Help)
        {
            Console.WriteLine(FuzzOptions.Usage);
            return 0;
        }

        using var interrupt = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // Stop sending, report what was found, kill the server: the finally below runs.
            e.Cancel = true;
            interrupt.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        FuzzSession? session = null;
        try
        {
            Console.WriteLine($"fuzz: {options.Requests} requests, {options.Concurrency} workers, limit {options.DurationSeconds} s, seed {options.Seed}");
            session = await FuzzSession.SetUpAsync(options, interrupt.Token).ConfigureAwait(false);
            var report = await session.RunAsync(interrupt.Token).ConfigureAwait(false);
            session.Dispose();
            session = null;
            Console.WriteLine();
            Console.Write(report.Human());
            if (options.JsonFile is { } jsonFile)
            {
                await File.WriteAllTextAsync(jsonFile, report.Json()).ConfigureAwait(false);
                Console.WriteLine($"summary written to {jsonFile}");
            }

            var exitCode = report.Findings.Total == 0 ? 0 : 1;
            Console.WriteLine($"exit {exitCode}");
            return exitCode;
        }
        catch (SetupException e)
        {
            await Console.Error.WriteLineAsync($"setup error: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("interrupted during setup").ConfigureAwait(false);
            return 2;
        }
        finally
        {
            session?.Dispose();
            Console.CancelKeyPress -= onCancel;
        }
    }
}
