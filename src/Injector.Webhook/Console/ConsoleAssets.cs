using Microsoft.AspNetCore.Http;

namespace Injector.Webhook.Console;

/// <summary>The console's pages: static files embedded in the binary (no CDN, works offline), served with a strict CSP.</summary>
internal static class ConsoleAssets
{
    private static readonly Dictionary<string, (string Type, byte[] Bytes)> Files = Load();

    public static async Task ServeAsync(HttpContext context, string file)
    {
        if (!Files.TryGetValue(file, out var asset))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentType = asset.Type;
        // Only the console's own files and API: no inline script, no other origin, never framed.
        context.Response.Headers["Content-Security-Policy"] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        await context.Response.Body.WriteAsync(asset.Bytes, context.RequestAborted).ConfigureAwait(false);
    }

    private static Dictionary<string, (string, byte[])> Load()
    {
        const string prefix = "Injector.Webhook.Console.assets.";
        var assembly = typeof(ConsoleAssets).Assembly;
        var files = new Dictionary<string, (string, byte[])>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var file = name[prefix.Length..];
            var type = Path.GetExtension(file) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                _ => "application/octet-stream",
            };
            files[file] = (type, copy.ToArray());
        }

        return files;
    }
}
