using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook;

/// <summary>The server's log output: one line per entry on stdout, text or JSON, at the level asked for.</summary>
internal static class ServerLogging
{
    public static void Configure(ILoggingBuilder logging, WebhookServerOptions options)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(options.LogLevel);

        // ASP.NET Core logs every request at Information; the webhook logs its own line per review.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        // Its hosting diagnostics log only request starts and ends (Information and Debug); a logger enabled at any
        // level there makes ASP.NET Core start an Activity for every request, which nothing reads.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        // Our own provider, not AddConsole: the console logger writes each line with a system call of its own.
        logging.Services.AddSingleton<ILoggerProvider>(_ => new Logging.StdoutLoggerProvider(options.LogFormat, System.Console.OpenStandardOutput()));

        options.ConfigureLogging?.Invoke(logging);
    }
}
