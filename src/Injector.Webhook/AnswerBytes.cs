using System.Buffers;
using System.Text.Json;

namespace Injector.Webhook;

/// <summary>
/// The bytes of an answer as the serializer writes its <see cref="AdmissionOutcome.Review"/>. A memo hit's response is
/// encoded once, all but its uid (<see cref="Tail"/>): each hit writes the review's apiVersion, kind and uid in front of
/// it, instead of encoding the patch to base64 again for every pod of a rollout.
/// </summary>
public static class AnswerBytes
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = AdmissionJsonContext.Default.Options.Encoder };

    /// <summary>One writer and buffer per thread for the few bytes in front of the tail; used synchronously only.</summary>
    [ThreadStatic]
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)? t_head;

    /// <summary>The response's encoding after its uid: from <c>,"allowed":</c> to the response's closing brace.</summary>
    internal static ReadOnlyMemory<byte> Tail(AdmissionResponse response)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(response, AdmissionJsonContext.Default.AdmissionResponse);
        var reader = new Utf8JsonReader(bytes);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject
            || !reader.Read() || !reader.ValueTextEquals("uid"u8)
            || !reader.Read() || reader.TokenType != JsonTokenType.String)
        {
            throw new InvalidOperationException("a response is written with its uid first");
        }

        return bytes.AsMemory((int)reader.BytesConsumed);
    }

    /// <summary>
    /// The answer's bytes, in an array rented from <paramref name="pool"/> when the outcome has a kept tail (return it
    /// when written), else the serializer's own array.
    /// </summary>
    public static (byte[] Bytes, int Length, bool Rented) Encode(AdmissionOutcome outcome, ArrayPool<byte> pool)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(pool);
        var review = outcome.Review;
        if (outcome.ResponseTail is not { } tail || review is not { ApiVersion: { } apiVersion, Kind: { } kind, Request: null, Response: { } response })
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(review, AdmissionJsonContext.Default.AdmissionReview);
            return (json, json.Length, false);
        }

        var (buffer, writer) = t_head ??= Head();
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteString("apiVersion"u8, apiVersion);
        writer.WriteString("kind"u8, kind);
        writer.WritePropertyName("response"u8);
        writer.WriteStartObject();
        writer.WriteString("uid"u8, response.Uid);
        writer.Flush();

        var head = buffer.WrittenSpan;
        var length = head.Length + tail.Length + 1;
        var bytes = pool.Rent(length);
        head.CopyTo(bytes);
        tail.Span.CopyTo(bytes.AsSpan(head.Length));
        bytes[length - 1] = (byte)'}';
        if (buffer.Capacity > 64 * 1024)
        {
            // A long uid grew it; the next answer starts small again.
            t_head = null;
        }

        return (bytes, length, true);
    }

    private static (ArrayBufferWriter<byte>, Utf8JsonWriter) Head()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        return (buffer, new Utf8JsonWriter(buffer, WriterOptions));
    }
}
