using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook.Logging;

/// <summary>
/// The two shapes of a log line, as ASP.NET Core's console formatters write them (so log pipelines built for those
/// read these): text, <c>2026-12-01T18:00:00.000Z info: Category[1] message</c>; and JSON, one object per line with
/// Timestamp, EventId, LogLevel, Category, Message, Exception (when there is one) and State (the message's fields,
/// with <c>{OriginalFormat}</c>, its template).
/// </summary>
internal static class StdoutLogFormat
{
    /// <summary>ISO 8601 in UTC with milliseconds, the same in both formats.</summary>
    public const string TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_json;

    [ThreadStatic]
    private static StringBuilder? t_text;

    /// <summary>One text line, UTF-8, ending in a newline; line breaks inside the message or exception become spaces.</summary>
    public static byte[] Text(DateTimeOffset time, LogLevel level, string category, EventId eventId, string message, Exception? exception)
    {
        var text = t_text ??= new StringBuilder(256);
        text.Clear();
        text.Append(time.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture)).Append(' ')
            .Append(ShortLevel(level)).Append(": ").Append(category).Append('[').Append(eventId.Id).Append("] ");
        AppendOneLine(text, message);
        if (exception is not null)
        {
            text.Append(' ');
            AppendOneLine(text, exception.ToString());
        }

        text.Append('\n');
        var line = Encoding.UTF8.GetBytes(text.ToString());
        if (text.Capacity > 16 * 1024)
        {
            // One long exception does not keep a large builder per thread.
            t_text = null;
        }

        return line;
    }

    /// <summary>One JSON object, UTF-8, ending in a newline.</summary>
    public static byte[] Json<TState>(DateTimeOffset time, LogLevel level, string category, EventId eventId, string message, Exception? exception, TState state)
    {
        var buffer = t_json ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("Timestamp", time.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture));
            json.WriteNumber("EventId", eventId.Id);
            json.WriteString("LogLevel", level.ToString());
            json.WriteString("Category", category);
            json.WriteString("Message", message);
            if (exception is not null)
            {
                json.WriteString("Exception", exception.ToString());
            }

            if (state is IReadOnlyList<KeyValuePair<string, object?>> fields)
            {
                // The fields only: the message is above, and a field may itself be called Message.
                json.WriteStartObject("State");
                for (var i = 0; i < fields.Count; i++)
                {
                    WriteField(json, fields[i].Key, fields[i].Value);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        var line = new byte[buffer.WrittenCount + 1];
        buffer.WrittenSpan.CopyTo(line);
        line[^1] = (byte)'\n';
        if (buffer.Capacity > 64 * 1024)
        {
            t_json = null;
        }

        return line;
    }

    private static void WriteField(Utf8JsonWriter json, string key, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNull(key);
                break;
            case string text:
                json.WriteString(key, text);
                break;
            case bool flag:
                json.WriteBoolean(key, flag);
                break;
            case int number:
                json.WriteNumber(key, number);
                break;
            case long number:
                json.WriteNumber(key, number);
                break;
            case double number when double.IsFinite(number):
                json.WriteNumber(key, number);
                break;
            case DateTime moment:
                json.WriteString(key, moment.ToString("o", CultureInfo.InvariantCulture));
                break;
            case DateTimeOffset moment:
                json.WriteString(key, moment.ToString("o", CultureInfo.InvariantCulture));
                break;
            default:
                json.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static void AppendOneLine(StringBuilder text, string value)
    {
        foreach (var c in value)
        {
            text.Append(c is '\n' or '\r' ? ' ' : c);
        }
    }

    /// <summary>The console formatter's four-letter levels.</summary>
    public static string ShortLevel(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
