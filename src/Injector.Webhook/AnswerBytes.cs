using System.Buffers;
using System.Text.Json;
using Injector.Documents;

namespace Injector.Webhook;

/// <summary>
/// The bytes of an answer as the serializer writes its <see cref="AdmissionOutcome.Review"/>. A memo hit's response is
/// encoded once, all but its uid (<see cref="Tail"/>): each hit writes the review's apiVersion, kind and uid in front of
/// it, instead of encoding the patch to base64 again for every pod of a rollout.
/// </summary>
public static class AnswerBytes
{
    /// <summary>One writer and buffer per thread for the few bytes in front of the tail, escaping as the serializer does.</summary>
    private static readonly ThreadJsonWriter HeadWriter = new(new JsonWriterOptions { Encoder = AdmissionJsonContext.Default.Options.Encoder }, initialBytes: 256, maxKeptBytes: 64 * 1024);

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

        var writer = HeadWriter.Start();
        try
        {
            writer.WriteStartObject();
            writer.WriteString("apiVersion"u8, apiVersion);
            writer.WriteString("kind"u8, kind);
            writer.WritePropertyName("response"u8);
            writer.WriteStartObject();
            writer.WriteString("uid"u8, response.Uid);

            var head = HeadWriter.Written;
            var length = head.Length + tail.Length + 1;
            var bytes = pool.Rent(length);
            head.CopyTo(bytes);
            tail.Span.CopyTo(bytes.AsSpan(head.Length));
            bytes[length - 1] = (byte)'}';
            return (bytes, length, true);
        }
        finally
        {
            HeadWriter.Finish();
        }
    }
}
