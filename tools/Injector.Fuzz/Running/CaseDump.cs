using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Injector.Fuzz.Cases;

namespace Injector.Fuzz.Running;

/// <summary>For <c>--only N --dump DIR</c>: the case's request and answer as files, with the patch decoded, to reproduce it by hand.</summary>
internal static class CaseDump
{
    private const long MaxBodyBytes = 8 * 1024 * 1024;
    private static int _sequence;

    public static async Task WriteAsync(string dir, FuzzCase c, Exchange x, CancellationToken ct)
    {
        Directory.CreateDirectory(dir);
        var n = Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture);
        var stem = Path.Combine(dir, $"case-{c.Index.ToString(CultureInfo.InvariantCulture)}-{n}");
        if (c.Body.Length <= MaxBodyBytes)
        {
            var file = File.Create(stem + ".request.json");
            await using (file.ConfigureAwait(false))
            {
                await c.Body.WriteAsync(file, ct).ConfigureAwait(false);
            }
        }

        var about = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"mutation: {c.Mutation}")
            .AppendLine(CultureInfo.InvariantCulture, $"seed: {c.Seed}")
            .AppendLine(CultureInfo.InvariantCulture, $"what: {c.Description}")
            .AppendLine(CultureInfo.InvariantCulture, $"request: POST {c.PathAndQuery}, {c.Body.Length} bytes, Content-Type {c.ContentType ?? "(none)"}, chunked {c.Chunked}, HTTP/2 {c.Http2}")
            .AppendLine(CultureInfo.InvariantCulture, $"answer: {x.Status?.ToString(CultureInfo.InvariantCulture) ?? x.Failure.ToString()} in {x.Milliseconds:F1} ms {x.Error}");
        await File.WriteAllTextAsync(stem + ".txt", about.ToString(), ct).ConfigureAwait(false);
        await File.WriteAllBytesAsync(stem + ".response", x.Body, ct).ConfigureAwait(false);
        try
        {
            if (JsonNode.Parse(x.Body)?["response"]?["patch"] is JsonValue patch)
            {
                await File.WriteAllBytesAsync(stem + ".patch.json", Convert.FromBase64String(patch.GetValue<string>()), ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            // Not a review with a patch; the raw answer is written already.
        }
    }
}
