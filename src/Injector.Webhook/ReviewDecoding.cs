using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Injector.Webhook;

/// <summary>
/// The two ways a review's bytes are decoded. Both are strict: a repeated key is an error (the API server never sends
/// one) and nesting is bounded. <see cref="Full"/> reads everything; <see cref="WithoutObject"/> reads all but
/// <c>request.object</c>, which it skips: the memo is looked up by that object's bytes, and on a hit the object is
/// never read. Those bytes were decoded in full, strictly, when the answer was first computed, so skipping them refuses
/// nothing the full decoding would refuse.
/// </summary>
internal static class ReviewDecoding
{
    public static readonly AdmissionJsonContext Full = new(Strict());

    public static readonly AdmissionJsonContext WithoutObject = new(Strict());

    /// <summary>How deep a review may nest.</summary>
    public const int MaxDepth = 64;

    /// <summary>How deep <c>request.object</c> may nest on its own: the review's bound less the two levels above it.</summary>
    public const int ObjectMaxDepth = MaxDepth - 2;

    private static JsonSerializerOptions Strict() => new(AdmissionJsonContext.Default.Options)
    {
        AllowDuplicateProperties = false,
        MaxDepth = ReviewDecoding.MaxDepth,
    };
}

/// <summary><c>request.object</c>: a tree of nodes, or skipped (null) under <see cref="ReviewDecoding.WithoutObject"/>.</summary>
internal sealed class ReviewObjectConverter : JsonConverter<JsonNode?>
{
    public override JsonNode? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (ReferenceEquals(options, ReviewDecoding.WithoutObject.Options))
        {
            reader.Skip();
            return null;
        }

        // Strings read once into the tree (JsonTree), not at every read from the document; a repeated key is refused
        // in System.Text.Json's words and nesting by the reader's bound, as the serializer's own node converter does.
        return Injector.Documents.JsonTree.Read(ref reader, new JsonNodeOptions { PropertyNameCaseInsensitive = options.PropertyNameCaseInsensitive });
    }

    public override void Write(Utf8JsonWriter writer, JsonNode? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            value.WriteTo(writer, options);
        }
    }
}
