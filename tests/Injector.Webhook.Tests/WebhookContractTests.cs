using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;

namespace Injector.Webhook.Tests;

/// <summary>The exact HTTP contract of <c>/inject</c>, over TLS, against the real server and a test-double injector.</summary>
public sealed class WebhookContractTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Client => fixture.Client;

    [Theory]
    [InlineData(AdmissionReview.V1)]
    [InlineData(AdmissionReview.V1Beta1)]
    public async Task Pod_review_is_patched_and_echoes_apiVersion_kind_and_uid(string apiVersion)
    {
        using var response = await Client.PostAsync("/inject", Reviews.Json(Reviews.Pod(apiVersion, uid: "uid-" + apiVersion)), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var review = await ReadReview(response);
        Assert.Equal(apiVersion, review["apiVersion"]!.GetValue<string>());
        Assert.Equal("AdmissionReview", review["kind"]!.GetValue<string>());
        Assert.Null(review["request"]);
        var answer = review["response"]!.AsObject();
        Assert.Equal("uid-" + apiVersion, answer["uid"]!.GetValue<string>());
        Assert.True(answer["allowed"]!.GetValue<bool>());
        Assert.Equal("JSONPatch", answer["patchType"]!.GetValue<string>());
        Assert.Null(answer["status"]);
        Assert.Null(answer["warnings"]);

        var patch = JsonNode.Parse(Convert.FromBase64String(answer["patch"]!.GetValue<string>()))!.AsArray();
        Assert.Equal(2, patch.Count);
        Assert.Equal("/metadata/annotations", patch[0]!["path"]!.GetValue<string>());
        Assert.Equal("default", patch[0]!["value"]!["test/namespace"]!.GetValue<string>());
        Assert.Equal("Webhook", patch[0]!["value"]!["test/door"]!.GetValue<string>());
        Assert.Equal("", patch[0]!["value"]!["test/path-env"]!.GetValue<string>());
        Assert.Equal("/spec/containers/-", patch[1]!["path"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_is_valid_RFC6902_that_applies_to_the_submitted_pod()
    {
        using var response = await Client.PostAsync("/inject", Reviews.Json(Reviews.Pod()), Ct);
        var answer = (await ReadReview(response))["response"]!;

        var patch = JsonSerializer.Deserialize<JsonPatchDocument>(Convert.FromBase64String(answer["patch"]!.GetValue<string>()))!;
        var pod = JsonNode.Parse(Reviews.Pod())!["request"]!["object"]!.AsObject();
        patch.ApplyTo(pod);

        Assert.Equal("injected", pod["metadata"]!["annotations"]!["sidecar.istio.io/status"]!.GetValue<string>());
        Assert.Equal(["hello", "istio-proxy"], pod["spec"]!["containers"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("/inject/cluster/c1/net/n1", "ISTIO_META_CLUSTER_ID=c1,ISTIO_META_NETWORK=n1")]
    [InlineData("/inject/cluster/c1/net/n1/", "ISTIO_META_CLUSTER_ID=c1,ISTIO_META_NETWORK=n1")]
    [InlineData("/inject/:ENV:cluster=c2:ENV:FOO=a--slash--b", "ISTIO_META_CLUSTER_ID=c2,FOO=a/b")]
    [InlineData("/inject/foo/bar/odd", "FOO=bar")]
    public async Task Path_env_reaches_the_injector(string path, string expected)
    {
        using var response = await Client.PostAsync(path, Reviews.Json(Reviews.Pod()), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = (await ReadReview(response))["response"]!;
        var patch = JsonNode.Parse(Convert.FromBase64String(answer["patch"]!.GetValue<string>()))!;
        Assert.Equal(expected, patch[0]!["value"]!["test/path-env"]!.GetValue<string>());
    }

    [Fact]
    public async Task Empty_body_is_400_no_body_found()
    {
        using var response = await Client.PostAsync("/inject", Reviews.Json(""), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("no body found\n", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Empty_body_is_checked_before_the_content_type()
    {
        using var response = await Client.PostAsync("/inject", Reviews.Json("", "application/yaml"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("no body found\n", await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [InlineData("application/yaml")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("text/plain")]
    [InlineData("Application/JSON")]
    public async Task Other_content_types_are_415(string contentType)
    {
        using var response = await Client.PostAsync("/inject", Reviews.Json(Reviews.Pod(), contentType), Ct);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("invalid Content-Type, want `application/json`\n", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Missing_content_type_is_415()
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Reviews.Pod()));
        using var response = await Client.PostAsync("/inject", content, Ct);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Theory]
    [InlineData("\u0001\u0002garbage")]
    [InlineData("{\"apiVersion\":")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}")]
    [InlineData("{\"apiVersion\":\"admission.k8s.io/v2\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\"}}")]
    [InlineData("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}")]
    public async Task Undecodable_reviews_are_200_not_allowed_with_a_message(string body)
    {
        using var response = await Client.PostAsync("/inject", Reviews.Json(body), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var review = await ReadReview(response);
        Assert.Equal("", review["apiVersion"]!.GetValue<string>());
        Assert.Equal("", review["kind"]!.GetValue<string>());
        var answer = review["response"]!;
        Assert.Equal("", answer["uid"]!.GetValue<string>());
        Assert.False(answer["allowed"]!.GetValue<bool>());
        Assert.NotEmpty(answer["status"]!["message"]!.GetValue<string>());
        Assert.Equal(JsonValueKind.Object, answer["status"]!["metadata"]!.GetValueKind());
        Assert.Null(answer["patch"]);
    }

    [Fact]
    public async Task Garbage_bytes_are_200_not_allowed()
    {
        using var content = new ByteArrayContent([0xFF, 0xFE, 0x00, 0x89, 0x50, 0x4E, 0x47]);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        using var response = await Client.PostAsync("/inject", content, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = (await ReadReview(response))["response"]!;
        Assert.False(answer["allowed"]!.GetValue<bool>());
        Assert.StartsWith("could not decode AdmissionReview", answer["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_over_6_MiB_is_400_with_the_limit()
    {
        var body = new byte[(6 * 1024 * 1024) + 1];
        body.AsSpan().Fill((byte)' ');
        using var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        using var response = await Client.PostAsync("/inject", content, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("request entity is too large, limit is 6291456\n", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Chunked_body_over_6_MiB_is_400_with_the_limit()
    {
        using var content = new StreamContent(new MemoryStream(new byte[(6 * 1024 * 1024) + 1]));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/inject") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("limit is 6291456", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_of_exactly_6_MiB_is_read()
    {
        var review = Reviews.Pod(uid: "big");
        var body = new byte[6 * 1024 * 1024];
        body.AsSpan().Fill((byte)' ');
        Encoding.UTF8.GetBytes(review, body);
        using var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        using var response = await Client.PostAsync("/inject", content, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("big", (await ReadReview(response))["response"]!["uid"]!.GetValue<string>());
    }

    [Fact]
    public async Task Non_pod_objects_are_allowed_without_a_patch()
    {
        var review = JsonNode.Parse(Reviews.Pod(uid: "cm-1"))!;
        review["request"]!["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "ConfigMap" };
        review["request"]!["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "configmaps" };
        review["request"]!["object"] = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["data"] = new JsonObject { ["k"] = "v" } };

        using var response = await Client.PostAsync("/inject", Reviews.Json(review.ToJsonString()), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = (await ReadReview(response))["response"]!;
        Assert.Equal("cm-1", answer["uid"]!.GetValue<string>());
        Assert.True(answer["allowed"]!.GetValue<bool>());
        Assert.Null(answer["patch"]);
        Assert.Null(answer["patchType"]);
    }

    [Fact]
    public async Task Pod_review_whose_object_is_not_an_object_is_not_allowed()
    {
        var review = JsonNode.Parse(Reviews.Pod(uid: "weird"))!;
        review["request"]!["object"] = "a string";

        using var response = await Client.PostAsync("/inject", Reviews.Json(review.ToJsonString()), Ct);

        var answer = (await ReadReview(response))["response"]!;
        Assert.Equal("weird", answer["uid"]!.GetValue<string>());
        Assert.False(answer["allowed"]!.GetValue<bool>());
        Assert.Contains("want a JSON object", answer["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Skip_is_allowed_without_a_patch()
    {
        using var response = await Client.PostAsync("/inject", Reviews.Json(Reviews.Pod(uid: "skip-1", mode: "skip")), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var review = await ReadReview(response);
        var answer = review["response"]!.AsObject();
        Assert.Equal("skip-1", answer["uid"]!.GetValue<string>());
        Assert.True(answer["allowed"]!.GetValue<bool>());
        Assert.Equal(["uid", "allowed"], answer.Select(p => p.Key));
    }

    [Theory]
    [InlineData(AdmissionReview.V1)]
    [InlineData(AdmissionReview.V1Beta1)]
    public async Task Injector_error_is_not_allowed_with_the_message(string apiVersion)
    {
        using var response = await Client.PostAsync("/inject", Reviews.Json(Reviews.Pod(apiVersion, uid: "err-1", mode: "error")), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var review = await ReadReview(response);
        Assert.Equal(apiVersion, review["apiVersion"]!.GetValue<string>());
        var answer = review["response"]!;
        Assert.Equal("err-1", answer["uid"]!.GetValue<string>());
        Assert.False(answer["allowed"]!.GetValue<bool>());
        Assert.Equal(FakeInjector.ErrorMessage, answer["status"]!["message"]!.GetValue<string>());
        Assert.Equal("{}", answer["status"]!["metadata"]!.ToJsonString());
        Assert.Null(answer["patch"]);
    }

    [Fact]
    public async Task Injector_exception_is_not_allowed_and_the_server_keeps_serving()
    {
        using var response = await Client.PostAsync("/inject", Reviews.Json(Reviews.Pod(uid: "boom", mode: "throw")), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = (await ReadReview(response))["response"]!;
        Assert.Equal("boom", answer["uid"]!.GetValue<string>());
        Assert.False(answer["allowed"]!.GetValue<bool>());
        var message = answer["status"]!["message"]!.GetValue<string>();
        Assert.Equal("injection failed: internal error (InvalidOperationException)", message);
        Assert.DoesNotContain("exploded", message, StringComparison.Ordinal);

        using var after = await Client.PostAsync("/inject", Reviews.Json(Reviews.Pod(uid: "after")), Ct);
        Assert.True((await ReadReview(after))["response"]!["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Warnings_are_cut_to_256_characters()
    {
        using var response = await Client.PostAsync("/inject", Reviews.Json(Reviews.Pod(mode: "warn")), Ct);

        var warnings = (await ReadReview(response))["response"]!["warnings"]!.AsArray().Select(w => w!.GetValue<string>()).ToList();
        Assert.Equal([new string('w', 256), "short"], warnings);
    }

    [Fact]
    public async Task Unknown_fields_in_the_pod_reach_the_injector()
    {
        var review = JsonNode.Parse(Reviews.Pod(uid: "unknown"))!;
        review["request"]!["object"]!["spec"]!["futureField"] = new JsonObject { ["x"] = 1 };
        var injectors = new RecordingSource();
        await using var server = await RunningServer.StartAsync(injectors);
        using var client = server.Client();

        using var response = await client.PostAsync("/inject", Reviews.Json(review.ToJsonString()), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"x\":1}", injectors.LastPod!["spec"]!["futureField"]!.ToJsonString());
    }

    [Fact]
    public async Task Get_on_inject_is_not_served()
    {
        using var response = await Client.GetAsync("/inject", Ct);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Healthz_and_readyz_are_ok()
    {
        using var health = await Client.GetAsync("/healthz", Ct);
        using var ready = await Client.GetAsync("/readyz", Ct);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", await health.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    private static async Task<JsonNode> ReadReview(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
    }

    private sealed class RecordingSource : Injector.Core.IPodInjectorSource, Injector.Core.IPodInjector
    {
        public JsonObject? LastPod { get; private set; }

        public Injector.Core.IPodInjector Current => this;

        public bool ReadsNamespaceAnnotations => false;

        public Injector.Core.InjectionResult Inject(Injector.Core.InjectionRequest request, CancellationToken cancellationToken = default)
        {
            LastPod = request.Pod;
            return new FakeInjector().Inject(request);
        }
    }
}
