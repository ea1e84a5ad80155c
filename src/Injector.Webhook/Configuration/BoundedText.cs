using System.Text;

namespace Injector.Webhook;

/// <summary>Reads UTF-8 text from a stream up to a byte limit, so a pipe or a wrong mount cannot be read into memory without end.</summary>
public static class BoundedText
{
    /// <summary>The text, or null when the stream holds more than <paramref name="maxBytes"/> bytes.</summary>
    public static string? Read(Stream stream, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        // Invalid UTF-8 becomes U+FFFD, as Go's YAML reader would refuse it anyway with a message of its own.
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
