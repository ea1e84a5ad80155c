using System.Net;

namespace Injector.Fuzz.Cases;

/// <summary>
/// A request body. Large ones are never held whole: <see cref="FilledBody"/> streams a repeated pattern between a
/// prefix and a suffix, so a 6 MiB body costs a few kB of memory.
/// </summary>
internal abstract class RequestBody
{
    public abstract long Length { get; }

    public abstract Task WriteAsync(Stream stream, CancellationToken ct);
}

/// <summary>A body held as bytes (small bodies: seeds, mutations, nesting up to a few hundred kB).</summary>
internal sealed class BytesBody(byte[] bytes) : RequestBody
{
    public byte[] Bytes { get; } = bytes;

    public override long Length => Bytes.Length;

    public override Task WriteAsync(Stream stream, CancellationToken ct) => stream.WriteAsync(Bytes, ct).AsTask();
}

/// <summary><c>prefix + pattern × repeats + suffix</c>, written in 64 kB chunks.</summary>
internal sealed class FilledBody(byte[] prefix, byte[] pattern, long repeats, byte[] suffix) : RequestBody
{
    private const int ChunkBytes = 64 * 1024;

    public override long Length => prefix.Length + (pattern.Length * repeats) + suffix.Length;

    public override async Task WriteAsync(Stream stream, CancellationToken ct)
    {
        await stream.WriteAsync(prefix, ct).ConfigureAwait(false);
        var perChunk = Math.Max(1, ChunkBytes / pattern.Length);
        var chunk = new byte[perChunk * pattern.Length];
        for (var i = 0; i < perChunk; i++)
        {
            pattern.CopyTo(chunk, i * pattern.Length);
        }

        for (var left = repeats; left > 0; left -= perChunk)
        {
            var count = (int)Math.Min(left, perChunk);
            await stream.WriteAsync(chunk.AsMemory(0, count * pattern.Length), ct).ConfigureAwait(false);
        }

        await stream.WriteAsync(suffix, ct).ConfigureAwait(false);
    }
}

/// <summary>The body as HTTP content: with a Content-Length, or chunked (HTTP/1.1) / without length (HTTP/2).</summary>
internal sealed class BodyContent(RequestBody body, bool chunked) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => body.WriteAsync(stream, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        body.WriteAsync(stream, cancellationToken);

    protected override bool TryComputeLength(out long length)
    {
        length = body.Length;
        return !chunked;
    }
}
