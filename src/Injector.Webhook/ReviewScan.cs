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

    /// <summary>The problem, or null; malformed JSON is left to the decoder, whose message is better.</summary>
    public static string? LongString(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, Options);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
                {
                    var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
                    if (length > PodLimits.MaxStringLength)
                    {
                        return $"the review holds a string of {length} bytes, more than the limit of {PodLimits.MaxStringLength} (Linux passes at most 128 KiB per environment variable or argument; large data belongs in a volume)";
                    }
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }
}
