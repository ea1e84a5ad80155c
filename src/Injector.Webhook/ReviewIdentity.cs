using System.Text.Json;

namespace Injector.Webhook;

/// <summary>
/// Reads only <c>apiVersion</c>, <c>kind</c> and <c>request.uid</c> of a review the strict decoder refused, with a
/// forward-only reader that skips everything else (any depth, any repeated key; the last value wins, as in Go).
/// </summary>
internal static class ReviewIdentity
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 100_000, CommentHandling = JsonCommentHandling.Disallow };

    public static (string? ApiVersion, string? Kind, string? Uid) Read(ReadOnlySpan<byte> body)
    {
        string? apiVersion = null, kind = null, uid = null;
        try
        {
            var reader = new Utf8JsonReader(body, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return default;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = reader.GetString();
                reader.Read();
                switch (property)
                {
                    case "apiVersion" when reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= 64:
                        apiVersion = reader.GetString();
                        break;
                    case "kind" when reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= 64:
                        kind = reader.GetString();
                        break;
                    case "request" when reader.TokenType == JsonTokenType.StartObject:
                        uid = RequestUid(ref reader) ?? uid;
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Whatever was read before the fault still identifies the review.
        }

        return (apiVersion, kind, uid);
    }

    private static string? RequestUid(ref Utf8JsonReader reader)
    {
        string? uid = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.GetString();
            reader.Read();
            if (property == "uid" && reader.TokenType == JsonTokenType.String)
            {
                // An overlong uid is not read at all: it is not echoed, and turning it into a string costs megabytes.
                uid = reader.ValueSpan.Length <= AdmissionHandler.MaxUidLength ? reader.GetString() : null;
            }
            else
            {
                reader.Skip();
            }
        }

        return uid;
    }
}
