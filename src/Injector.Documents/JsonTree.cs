using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Injector.Documents;

/// <summary>
/// Reads JSON into a tree whose strings, integers and booleans are plain values. <see cref="JsonNode.Parse(string, JsonNodeOptions?, JsonDocumentOptions)"/>
/// backs each value with the parsed document instead, and every read of such a string allocates it afresh: an
/// injection reads the pod's strings many times over (the checks, the merge, post-processing, the diff), so they are
/// read once here. Numbers other than plain integers stay backed by their JSON text, so they are written as they came.
/// </summary>
public static class JsonTree
{
    /// <summary>The tree of one JSON value; throws <see cref="JsonException"/> for malformed JSON, a repeated key or nesting past <paramref name="maxDepth"/>.</summary>
    public static JsonNode? Parse(ReadOnlySpan<byte> utf8, int maxDepth = 64)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = maxDepth });
        if (!reader.Read())
        {
            throw new JsonException("the input holds no JSON value");
        }

        JsonNode? node;
        try
        {
            node = Read(ref reader, new JsonNodeOptions());
        }
        catch (InvalidOperationException e)
        {
            // A string that is not valid UTF-8, or escapes a lone surrogate: malformed JSON, as for the serializer.
            throw new JsonException($"The JSON value could not be converted: {e.Message} (at byte {reader.TokenStartIndex})", e);
        }

        // The reader refuses anything after the value but whitespace.
        while (reader.Read())
        {
        }

        return node;
    }

    /// <summary>
    /// The value at the reader's token (a converter's <c>Read</c>): the reader is left on the value's last token. Nesting
    /// is bounded by the reader's own <see cref="JsonReaderOptions.MaxDepth"/>. A string that is not valid text throws
    /// <see cref="InvalidOperationException"/>, which the serializer reports as a value that could not be converted, with its path.
    /// </summary>
    public static JsonNode? Read(ref Utf8JsonReader reader, JsonNodeOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var map = new JsonObject(options);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var key = reader.GetString()!;
                    reader.Read();
                    if (!map.TryAdd(key, Read(ref reader, options)))
                    {
                        // The words System.Text.Json uses for the same refusal, so callers explain both alike.
                        throw new JsonException($"Duplicate property '{key}' encountered during deserialization of type 'JsonObject'.");
                    }
                }

                return map;
            case JsonTokenType.StartArray:
                var list = new JsonArray(options);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    list.Add(Read(ref reader, options));
                }

                return list;
            case JsonTokenType.String:
                return JsonValue.Create(reader.GetString()!, options);
            case JsonTokenType.Number:
                return IsPlainInteger(ref reader, out var integer)
                    ? JsonValue.Create(integer, options)
                    : JsonValue.Create(JsonElement.ParseValue(ref reader), options);
            case JsonTokenType.True:
                return JsonValue.Create(true, options);
            case JsonTokenType.False:
                return JsonValue.Create(false, options);
            case JsonTokenType.Null:
                return null;
            default:
                throw new JsonException($"unexpected JSON token {reader.TokenType}");
        }
    }

    /// <summary>An integer that writes back as the same text (so not <c>-0</c>, <c>1.0</c> or <c>1e3</c>).</summary>
    private static bool IsPlainInteger(ref Utf8JsonReader reader, out long value)
    {
        if (!reader.TryGetInt64(out value))
        {
            return false;
        }

        Span<byte> text = stackalloc byte[20];
        return value.TryFormat(text, out var written, default, CultureInfo.InvariantCulture) && reader.ValueSpan.SequenceEqual(text[..written]);
    }
}
