using System.Text.Json;
using Injector.Core.Kube;

namespace Injector.Webhook;

/// <summary>
/// One forward pass over the raw review before it is decoded: a string token longer than
/// <see cref="PodLimits.MaxStringLength"/> is refused here, so it is never unescaped or transcoded (that would go
/// through the runtime's shared buffer pools, which keep megabyte buffers long after the request).
/// </summary>
internal static class ReviewScan
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 64 };

    /// <summary>
    /// The problem, or null (malformed JSON is left to the decoder, whose message is better); and where
    /// <c>request.object</c> lies in the body (its raw bytes are the memo's key; null when absent or not found before a
    /// problem).
    /// </summary>
    public static (string? Problem, Range? Object) Scan(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, Options);
        Range? found = null;
        var inRequest = false;
        var objectNext = false;
        long objectStart = -1;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
                {
                    var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
                    if (length > PodLimits.MaxStringLength)
                    {
                        return ($"the review holds a string of {length} bytes, more than the limit of {PodLimits.MaxStringLength} (Linux passes at most 128 KiB per environment variable or argument; large data belongs in a volume)", null);
                    }
                }

                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName when reader.CurrentDepth == 1:
                        inRequest = reader.ValueTextEquals("request"u8);
                        break;
                    case JsonTokenType.PropertyName when reader.CurrentDepth == 2 && inRequest:
                        objectNext = reader.ValueTextEquals("object"u8);
                        break;
                    case JsonTokenType.StartObject when objectNext && reader.CurrentDepth == 2:
                        objectStart = reader.TokenStartIndex;
                        objectNext = false;
                        break;
                    case JsonTokenType.EndObject when objectStart >= 0 && reader.CurrentDepth == 2:
                        found = new Range((int)objectStart, (int)reader.BytesConsumed);
                        objectStart = -1;
                        break;
                    default:
                        if (reader.CurrentDepth == 2 && reader.TokenType is not JsonTokenType.PropertyName)
                        {
                            objectNext = false;
                        }

                        break;
                }
            }
        }
        catch (JsonException)
        {
            return (null, null);
        }

        return (null, found);
    }
}
