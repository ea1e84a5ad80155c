using Microsoft.Extensions.Logging;

namespace Injector.Webhook.Logging;

/// <summary>
/// The server's logger: each entry is formatted on the thread that logs it and written to stdout in batches by a
/// <see cref="StdoutLogWriter"/>. Levels and filters are the logging builder's; scopes are not written.
/// </summary>
[ProviderAlias("Console")]
internal sealed class StdoutLoggerProvider : ILoggerProvider
{
    private readonly LogFormat _format;
    private readonly StdoutLogWriter _writer;

    public StdoutLoggerProvider(LogFormat format, Stream output)
    {
        _format = format;
        _writer = new StdoutLogWriter(output, message => Line(DateTimeOffset.UtcNow, LogLevel.Warning, typeof(StdoutLogWriter).FullName!, default, message, null, (object?)null));
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() => _writer.Dispose();

    private byte[] Line<TState>(DateTimeOffset time, LogLevel level, string category, EventId eventId, string message, Exception? exception, TState state) =>
        _format == LogFormat.Json
            ? StdoutLogFormat.Json(time, level, category, eventId, message, exception, state)
            : StdoutLogFormat.Text(time, level, category, eventId, message, exception);

    private sealed class Logger(StdoutLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            ArgumentNullException.ThrowIfNull(formatter);
            var message = formatter(state, exception) ?? "";
            provider._writer.Add(provider.Line(DateTimeOffset.UtcNow, logLevel, category, eventId, message, exception, state));
        }
    }
}
