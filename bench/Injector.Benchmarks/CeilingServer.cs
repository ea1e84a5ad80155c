using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Injector.Benchmarks;

/// <summary>
/// <c>Injector.Benchmarks ceiling --port P --tls-cert C --tls-key K</c>: the ceiling of the stack for <c>make load</c>.
/// Kestrel over TLS 1.2/1.3 (HTTP/1.1 and HTTP/2) with one handler that reads the review, parses it (finding the uid)
/// and writes a fixed AdmissionReview of about 1 KB: what any webhook on this stack must at least do.
/// </summary>
internal static class CeilingServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        if (Arg("--port") is not { } portText || !int.TryParse(portText, out var port) || Arg("--tls-cert") is not { } cert || Arg("--tls-key") is not { } key)
        {
            await Console.Error.WriteLineAsync("usage: Injector.Benchmarks ceiling --port P --tls-cert FILE --tls-key FILE").ConfigureAwait(false);
            return 2;
        }

        using var certificate = X509Certificate2.CreateFromPemFile(cert, key);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(https =>
                {
                    https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                    https.ServerCertificate = certificate;
                });
            });
        });
        await using var app = builder.Build();

        // A patch of about 1 KB, as the webhook's answer would carry.
        var patch = Convert.ToBase64String(Encoding.UTF8.GetBytes("[" + string.Join(',', Enumerable.Range(0, 12).Select(i => $$"""{"op":"add","path":"/metadata/labels/ceiling-{{i}}","value":"v"}""")) + "]"));
        app.MapPost("/inject", async (HttpContext context) =>
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
            var uid = document.RootElement.TryGetProperty("request", out var request) && request.TryGetProperty("uid", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : "";
            var answer = Encoding.UTF8.GetBytes(
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"response\":{\"uid\":" + JsonSerializer.Serialize(uid, CeilingJson.Default.String)
                + ",\"allowed\":true,\"patchType\":\"JSONPatch\",\"patch\":\"" + patch + "\"}}");
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = answer.Length;
            await context.Response.Body.WriteAsync(answer, context.RequestAborted).ConfigureAwait(false);
        });
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class CeilingJson : System.Text.Json.Serialization.JsonSerializerContext;
