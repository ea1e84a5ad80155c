using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Injector.Core;
using Injector.Core.Config;
using Injector.Core.Policy;

namespace Injector.Webhook.Tests;

/// <summary>
/// The server's own bounds, over real TLS on 127.0.0.1 and the real injection core: strict decoding, the request
/// deadline, oversized bodies, the health port, the client CA, the drain on shutdown, the body budget, escaped logs.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class ServerHardeningTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Lazy<PodInjector> Real = new(() => InjectorFactory.Build(new ConfigSources()));

    private sealed class Fixed(IPodInjector injector) : IPodInjectorSource
    {
        public IPodInjector Current => injector;
    }

    [Theory]
    [InlineData("duplicate keys", "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"uid\":\"v\"}}", "the key \"uid\" is repeated in an object")]
    [InlineData("nesting 100 deep", "DEEP", "maximum configured depth of 64")]
    [InlineData("a truncated body", "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"Adm", "could not decode AdmissionReview")]
    public async Task An_undecodable_review_is_answered_with_a_clear_message(string what, string body, string expected)
    {
        if (body == "DEEP")
        {
            body = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"object\":"
                + string.Concat(Enumerable.Repeat("[", 100)) + string.Concat(Enumerable.Repeat("]", 100)) + "}}";
        }

        await using var server = await RunningServer.StartAsync(new Fixed(Real.Value));
        using var client = server.Client();
        using var response = await client.PostAsync("/inject", Reviews.Json(body), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["response"]!;
        Assert.False(answer["allowed"]!.GetValue<bool>(), what);
        Assert.Contains(expected, answer["status"]!["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("a repeated key in the pod", "\"metadata\": {\"name\": \"a\", \"name\": \"b\"}", "could not decode AdmissionReview: the key \"name\" is repeated in an object")]
    [InlineData("a lone surrogate", "\"metadata\": {\"name\": \"a\\ud800b\"}", "could not be converted")]
    [InlineData("nesting past 64", "\"x\": DEEP", "maximum configured depth of 64")]
    public async Task A_refused_review_still_echoes_its_uid_apiVersion_and_kind(string what, string podField, string expected)
    {
        podField = podField.Replace("DEEP", new string('[', 80) + new string(']', 80), StringComparison.Ordinal);
        var body = """{"apiVersion": "admission.k8s.io/v1beta1", "kind": "AdmissionReview", "request": {"uid": "echo-me", "kind": {"group": "", "version": "v1", "kind": "Pod"}, "object": {FIELD, "spec": {}}}}"""
            .Replace("FIELD", podField, StringComparison.Ordinal);
        await using var server = await RunningServer.StartAsync(new Fixed(Real.Value));
        using var client = server.Client();

        using var response = await client.PostAsync("/inject", Reviews.Json(body), Ct);

        var review = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("admission.k8s.io/v1beta1", review["apiVersion"]!.GetValue<string>());
        Assert.Equal("AdmissionReview", review["kind"]!.GetValue<string>());
        Assert.Equal("echo-me", review["response"]!["uid"]!.GetValue<string>());
        Assert.False(review["response"]!["allowed"]!.GetValue<bool>(), what);
        Assert.Contains(expected, review["response"]!["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_overlong_uid_is_not_echoed()
    {
        await using var server = await RunningServer.StartAsync(new Fixed(Real.Value));
        using var client = server.Client();

        using (var response = await client.PostAsync("/inject", Reviews.Json(Reviews.Pod(uid: new string('u', 20_000))), Ct))
        {
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["response"]!;
            Assert.Equal("", answer["uid"]!.GetValue<string>());
            Assert.Equal("request.uid is 20000 characters long, more than the limit of 16384", answer["status"]!["message"]!.GetValue<string>());
        }

        // Past the longest string a review may hold, it is refused before it is decoded.
        using (var response = await client.PostAsync("/inject", Reviews.Json(Reviews.Pod(uid: new string('u', 1_000_000))), Ct))
        {
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["response"]!;
            Assert.Equal("", answer["uid"]!.GetValue<string>());
            Assert.StartsWith("could not decode AdmissionReview: the review holds a string of 1000000 bytes, more than the limit of 262144", answer["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Invalid_utf8_is_answered_with_a_clear_message()
    {
        await using var server = await RunningServer.StartAsync(new Fixed(Real.Value));
        using var client = server.Client();
        var bytes = Encoding.UTF8.GetBytes(Reviews.Pod(uid: "utf8")).ToList();
        bytes.InsertRange(bytes.IndexOf((byte)'h'), [0xC3, 0x28, 0xFF]);
        using var content = new ByteArrayContent([.. bytes]);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");

        using var response = await client.PostAsync("/inject", content, Ct);

        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["response"]!;
        Assert.Equal("could not decode AdmissionReview: the body is not valid UTF-8", answer["status"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_pod_of_the_wrong_shape_is_denied_with_the_uid_echoed()
    {
        await using var server = await RunningServer.StartAsync(new Fixed(Real.Value));
        using var client = server.Client();
        var review = JsonNode.Parse(Reviews.Pod(uid: "shape"))!;
        review["request"]!["object"]!["spec"]!["containers"] = "not a list";

        using var response = await client.PostAsync("/inject", Reviews.Json(review.ToJsonString()), Ct);

        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["response"]!;
        Assert.Equal("shape", answer["uid"]!.GetValue<string>());
        Assert.False(answer["allowed"]!.GetValue<bool>());
        Assert.Equal("invalid pod: spec.containers: want a list, got the string \"not a list\"", answer["status"]!["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_oversized_body_gets_a_readable_400_and_the_server_goes_on(bool declareLength)
    {
        await using var server = await RunningServer.StartAsync(new Fixed(Real.Value));
        using var client = server.Client();
        var body = new byte[7 * 1024 * 1024];
        Array.Fill(body, (byte)' ');
        HttpContent content = declareLength ? new ByteArrayContent(body) : new StreamContent(new UnknownLengthStream(body));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");

        using var response = await client.PostAsync("/inject", content, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("request entity is too large, limit is 6291456\n", await response.Content.ReadAsStringAsync(Ct));
        using var after = await client.PostAsync("/inject", Reviews.Json(Reviews.Pod(uid: "after")), Ct);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task The_api_servers_timeout_bounds_the_work()
    {
        // A configuration whose template loops a billion times: only the deadline ends the render.
        var settings = SettingsLoader.Defaults();
        var slow = new PodInjector(settings with
        {
            Config = settings.Config with
            {
                Templates = new Dictionary<string, string>(StringComparer.Ordinal) { ["slow"] = "{{ range until 1000 }}{{ range until 1000 }}{{ range until 1000 }}{{ end }}{{ end }}{{ end }}metadata: {}\n" },
                DefaultTemplates = ["slow"],
            },
        });
        await using var server = await RunningServer.StartAsync(new Fixed(slow));
        using var client = server.Client();
        var watch = Stopwatch.StartNew();

        using var response = await client.PostAsync("/inject?timeout=1s", Reviews.Json(Reviews.Pod(uid: "slow")), Ct);

        // The deadline is 0.9 s (a tenth kept for the answer's way back); the bound leaves room for a loaded machine.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1.5), $"answered after {watch.Elapsed}");
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["response"]!;
        Assert.Equal("slow", answer["uid"]!.GetValue<string>());
        Assert.False(answer["allowed"]!.GetValue<bool>());
        Assert.Contains("did not finish before the request's deadline", answer["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10s", 9_000)]
    [InlineData("30s", 29_000)]
    [InlineData("1m", 29_000)]
    [InlineData("2s", 1_800)]
    [InlineData("500ms", 900)]
    [InlineData("1ms", 900)]
    [InlineData(null, 9_000)]
    [InlineData("garbage", 9_000)]
    public void The_deadline_is_the_callers_timeout_less_a_margin(string? timeout, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), RequestDeadline.For(timeout));

    [Fact]
    public async Task With_a_health_port_inject_is_the_only_tls_surface()
    {
        await using var server = await RunningServer.StartAsync(new FakeInjector(), configure: o => o with { HealthPort = 0 });
        using var tls = server.Client();
        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.HealthPort}/") };

        Assert.Equal("ok", await plain.GetStringAsync("/readyz", Ct));
        Assert.Equal("ok", await plain.GetStringAsync("/healthz", Ct));
        Assert.Contains("sidecar_injection_requests_total", await plain.GetStringAsync("/metrics", Ct), StringComparison.Ordinal);
        using (var onTls = await tls.GetAsync("/readyz", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, onTls.StatusCode);
        }

        using (var injectInPlain = await plain.PostAsync("/inject", Reviews.Json(Reviews.Pod()), Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, injectInPlain.StatusCode);
        }

        using var injected = await tls.PostAsync("/inject", Reviews.Json(Reviews.Pod()), Ct);
        Assert.Equal(HttpStatusCode.OK, injected.StatusCode);
    }

    [Fact]
    public async Task On_stop_readiness_fails_first_and_injection_goes_on_for_the_delay()
    {
        var server = await RunningServer.StartAsync(new FakeInjector(), configure: o => o with { HealthPort = 0, ShutdownDelay = TimeSpan.FromSeconds(2) });
        using var tls = server.Client();
        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.HealthPort}/") };
        Assert.Equal("ok", await plain.GetStringAsync("/readyz", Ct));

        var stopping = server.DisposeAsync().AsTask();
        await Task.Delay(300, Ct);

        using (var ready = await plain.GetAsync("/readyz", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal("shutting down", await ready.Content.ReadAsStringAsync(Ct));
        }

        using (var during = await tls.PostAsync("/inject", Reviews.Json(Reviews.Pod(uid: "during")), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        }

        Assert.False(stopping.IsCompleted, "the server stopped before the delay was over");
        await stopping;
    }

    [Fact]
    public async Task With_a_client_ca_only_clients_it_issued_get_through()
    {
        using var clientCa = new TestCa();
        using var other = new TestCa();
        var bundle = Path.Combine(Path.GetTempPath(), $"injector-client-ca-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(bundle, clientCa.CertificatePem, Ct);
        try
        {
            await using var server = await RunningServer.StartAsync(new FakeInjector(), configure: o => o with { ClientCaFile = bundle });
            using var trusted = clientCa.IssueClient("kube-apiserver");
            using var stranger = other.IssueClient("kube-apiserver");
            var (servingPem, servingKey, servingIssued) = clientCa.Issue("a-serving-certificate");
            servingIssued.Dispose();
            using var servingEphemeral = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(servingPem, servingKey);
            using var serving = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(
                servingEphemeral.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null);

            using (var client = server.Client(clientCertificate: trusted))
            {
                using var ok = await client.PostAsync("/inject", Reviews.Json(Reviews.Pod()), Ct);
                Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            }

            // No certificate, one from another CA, and one of the right CA that is meant for serving, not for clients.
            foreach (var refused in new[] { null, stranger, serving })
            {
                using var client = server.Client(clientCertificate: refused);
                await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.PostAsync("/inject", Reviews.Json(Reviews.Pod()), Ct));
            }
        }
        finally
        {
            File.Delete(bundle);
        }
    }

    [Fact]
    public async Task A_burst_of_large_reviews_waits_for_the_body_budget_instead_of_failing()
    {
        // Room for one 1 MB review at a time: eight at once are served one after another, all within their deadline.
        await using var server = await RunningServer.StartAsync(new Fixed(Real.Value), configure: o => o with { MaxInFlightBodyBytes = 1_200_000 });
        using var client = server.Client();
        var review = JsonNode.Parse(Reviews.Pod(uid: "big"))!;
        review["request"]!["object"]!["spec"]!["containers"]![0]!["env"] = new JsonArray([.. Enumerable.Range(0, 8).Select(i => (JsonNode)new JsonObject { ["name"] = $"BLOB{i}", ["value"] = new string('x', 125_000) })]);
        var body = review.ToJsonString();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await client.PostAsync("/inject", Reviews.Json(body), Ct);
            return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))?["response"]?["allowed"]?.GetValue<bool>());
        }));

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, (bool?)true), a));
    }

    [Fact]
    public async Task Values_from_the_pod_reach_the_log_escaped()
    {
        using var logs = new CapturingLoggerProvider();
        await using var server = await RunningServer.StartAsync(_ => new Fixed(Real.Value), logging: logs);
        using var client = server.Client();
        var review = JsonNode.Parse(Reviews.Pod(uid: "log"))!;
        review["request"]!["object"]!["metadata"]!["generateName"] = "evil\n2026-12-01 INFO forged line\u001b[31m";
        review["request"]!["object"]!["metadata"]!["annotations"] = new JsonObject { ["sidecar.istio.io/interceptionMode"] = "X\nforged" };

        using var response = await client.PostAsync("/inject", Reviews.Json(review.ToJsonString()), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = logs.Entries.Where(e => e.Message.Contains("evil", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, e =>
        {
            Assert.DoesNotContain('\n', e.Message);
            Assert.DoesNotContain('\u001b', e.Message);
            Assert.Contains("evil\\n2026-12-01 INFO forged line\\u001b[31m", e.Message, StringComparison.Ordinal);
        });
        Assert.Contains(logs.Entries, e => e.Message.Contains(DenialReason.InvalidAnnotation.Code, StringComparison.Ordinal) && e.Message.Contains("X\\nforged", StringComparison.Ordinal));
    }

    [Fact]
    public void Log_text_is_escaped_and_cut()
    {
        Assert.Equal("plain", LogText.Escape("plain"));
        Assert.Equal("a\\nb\\r\\t\\u0007\\\\", LogText.Escape("a\nb\r\t\u0007\\"));
        var cut = LogText.Escape(new string('x', 2000));
        Assert.StartsWith(new string('x', LogText.MaxLength) + "…(2000 chars)", cut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slow_headers_are_cut_off()
    {
        await using var server = await RunningServer.StartAsync(new FakeInjector(), configure: o => o with { RequestHeadersTimeout = TimeSpan.FromSeconds(1) });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.Port, Ct);
        using var stream = tcp.GetStream();
        var watch = Stopwatch.StartNew();

        // No TLS handshake at all: the handshake timeout (the same bound) closes the connection.
        var buffer = new byte[1];
        var read = await stream.ReadAsync(buffer, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(0, read);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"closed after {watch.Elapsed}");
    }

    /// <summary>A body sent chunked: no Content-Length, so the server must count.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
