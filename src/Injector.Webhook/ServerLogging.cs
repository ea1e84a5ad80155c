using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook;

/// <summary>The server's log output: one line per entry on stdout, text or JSON, at the level asked for.</summary>
internal static class ServerLogging
{
    /// <summary>ISO 8601 in UTC with milliseconds, the same in both formats.</summary>
    private const string Timestamp = "yyyy-MM-ddTHH:mm:ss.fffZ ";

    public static void Configure(ILoggingBuilder logging, WebhookServerOptions options)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(options.LogLevel);

        // ASP.NET Core logs every request at Information; the webhook logs its own line per review.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        if (options.LogFormat == LogFormat.Json)
        {
            logging.AddJsonConsole(json =>
            {
                json.TimestampFormat = Timestamp.TrimEnd();
                json.UseUtcTimestamp = true;
                json.IncludeScopes = false;
                json.JsonWriterOptions = new JsonWriterOptions { Indented = false };
            });
        }
        else
        {
            logging.AddSimpleConsole(text =>
            {
                text.SingleLine = true;
                text.TimestampFormat = Timestamp;
                text.UseUtcTimestamp = true;
                text.IncludeScopes = false;
            });
        }

        options.ConfigureLogging?.Invoke(logging);
    }
}
