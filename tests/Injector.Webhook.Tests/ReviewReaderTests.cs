using System.Text;
using System.Text.Json;

namespace Injector.Webhook.Tests;

/// <summary>
/// The one-pass review reader: it reads the API server's shape itself, never accepts what the serializer refuses, and
/// gives what the serializer gives; anything else is left to the serializer.
/// </summary>
public sealed class ReviewReaderTests
{
    private const string Pod = """{"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"web-","labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx"}]}}""";

    /// <summary>What the API server sends for a pod's creation.</summary>
    private static readonly string ApiServerReview = ("""
        {"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002",
        "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
        "requestKind":{"group":"","version":"v1","kind":"Pod"},"requestResource":{"group":"","version":"v1","resource":"pods"},
        "namespace":"default","operation":"CREATE","userInfo":{"username":"system:serviceaccount:kube-system:replicaset-controller",
        "uid":"a7e0ab33","groups":["system:serviceaccounts","system:authenticated"],"extra":{"authentication.kubernetes.io/pod-name":["p"]}},
        "object":POD,"oldObject":null,"dryRun":false,"options":{"kind":"CreateOptions","apiVersion":"meta.k8s.io/v1"}}}
        """).Replace("POD", Pod, StringComparison.Ordinal);

    [Fact]
    public void The_api_servers_review_is_read_in_one_pass_as_the_serializer_reads_it()
    {
        var body = Encoding.UTF8.GetBytes(ApiServerReview);

        var scanned = ReviewReader.Read(body);

        Assert.Null(scanned.Problem);
        Assert.Equal(Pod, Encoding.UTF8.GetString(body.AsSpan()[scanned.Object!.Value]));
        Assert.NotNull(scanned.Review);
        Assert.Equal(Serializers(body), Kept(scanned.Review));
        Assert.Equal(("705ab4f5-6393-11e8-b7cc-42010a800002", "Pod", "pods", "default", "CREATE", false), (scanned.Review.Request!.Uid, scanned.Review.Request.Kind!.Kind, scanned.Review.Request.Resource!.Resource, scanned.Review.Request.Namespace, scanned.Review.Request.Operation, scanned.Review.Request.DryRun));
    }

    [Theory]
    [InlineData("an unknown key at the top", "\"kind\":\"AdmissionReview\",", "\"kind\":\"AdmissionReview\",\"extra\":1,")]
    [InlineData("a repeated key at the top", "\"kind\":\"AdmissionReview\",", "\"kind\":\"AdmissionReview\",\"kind\":\"AdmissionReview\",")]
    [InlineData("a repeated key in the request", "\"namespace\":\"default\",", "\"namespace\":\"default\",\"namespace\":\"other\",")]
    [InlineData("a repeated key in userInfo", "\"uid\":\"a7e0ab33\",", "\"uid\":\"a7e0ab33\",\"uid\":\"b\",")]
    [InlineData("a repeated key in userInfo.extra", "\"extra\":{", "\"extra\":{\"k\":[],\"k\":[],")]
    [InlineData("a repeated key in options", "\"kind\":\"CreateOptions\",", "\"kind\":\"CreateOptions\",\"kind\":\"CreateOptions\",")]
    [InlineData("an escaped key in options", "\"kind\":\"CreateOptions\",", "\"\\u006bind\":\"CreateOptions\",")]
    [InlineData("an escaped string in userInfo", "\"uid\":\"a7e0ab33\",", "\"uid\":\"\\ud800\",")]
    [InlineData("an old object", "\"oldObject\":null", "\"oldObject\":{\"kind\":\"Pod\"}")]
    [InlineData("a number for a string", "\"operation\":\"CREATE\"", "\"operation\":1")]
    [InlineData("a string for dryRun", "\"dryRun\":false", "\"dryRun\":\"false\"")]
    [InlineData("a list for the kind", "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"}", "\"kind\":[]")]
    [InlineData("an unknown key in the kind", "\"kind\":{\"group\":\"\",", "\"kind\":{\"group\":\"\",\"x\":\"\",")]
    [InlineData("a lone surrogate in the uid", "\"uid\":\"705ab4f5-6393-11e8-b7cc-42010a800002\"", "\"uid\":\"\\udc00\"")]
    [InlineData("an escaped key", "\"namespace\":\"default\"", "\"n\\u0061mespace\":\"default\"")]
    [InlineData("a key that decodes to no text, where kind is looked for", "\"kind\":{\"group\":\"\",", "\"kind\":{\"\\udc00\":\"\",")]
    public void What_the_api_server_never_sends_is_left_to_the_serializer(string what, string find, string replace)
    {
        Assert.Contains(find, ApiServerReview, StringComparison.Ordinal);
        var body = Encoding.UTF8.GetBytes(ReplaceFirst(ApiServerReview, find, replace));

        var scanned = ReviewReader.Read(body);

        Assert.True(scanned.Review is null, what);
        Assert.NotNull(scanned.Object);
    }

    [Fact]
    public void Escapes_in_the_kept_values_read_as_the_serializer_reads_them()
    {
        var body = Encoding.UTF8.GetBytes(ReplaceFirst(ApiServerReview, "\"namespace\":\"default\"", "\"namespace\":\"d\\u00e9fault\\n\""));

        var scanned = ReviewReader.Read(body);

        Assert.Equal("défault\n", scanned.Review!.Request!.Namespace);
        Assert.Equal(Serializers(body), Kept(scanned.Review));
    }

    /// <summary>Escaped keys that decode to no text never throw out of the reader: the serializer refuses them.</summary>
    [Theory]
    [InlineData("""{"\udc00":1}""")]
    [InlineData("""{"\udc00\udc00":1}""")]
    [InlineData("""{"request":{"\udc00":1}}""")]
    [InlineData("""{"request":{"kind":{"\udc00":1}}}""")]
    [InlineData("""{"request":{"resource":{"\ud800":1}}}""")]
    [InlineData("""{"requ\u0065st":{"object":{"a":1}}}""")]
    public void Keys_whose_escapes_make_no_text_are_left_to_the_serializer(string review)
    {
        var scanned = ReviewReader.Read(Encoding.UTF8.GetBytes(review));

        Assert.Null(scanned.Problem);
        Assert.Null(scanned.Review);
        Assert.Null(scanned.Object);
    }

    [Fact]
    public void A_string_past_the_limit_is_refused_wherever_it_is()
    {
        foreach (var (find, replace) in new[] { ("\"uid\":\"a7e0ab33\"", $"\"uid\":\"{new string('u', 300_000)}\""), ("\"kind\":\"CreateOptions\",", $"\"{new string('k', 300_000)}\":1,"), ("\"nginx\"", $"\"{new string('i', 300_000)}\"") })
        {
            var scanned = ReviewReader.Read(Encoding.UTF8.GetBytes(ReplaceFirst(ApiServerReview, find, replace)));
            Assert.StartsWith("the review holds a string of 300000 bytes", scanned.Problem, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Seeded random reviews around the API server's shape: whenever the reader keeps a review, the serializer decodes
    /// the same review; whenever the serializer refuses one, the reader kept nothing.
    /// </summary>
    [Fact]
    public void Random_reviews_are_read_as_the_serializer_reads_them_or_left_to_it()
    {
        var random = new Random(20261202);
        var (kept, left, refused) = (0, 0, 0);
        for (var i = 0; i < 3000; i++)
        {
            var body = Encoding.UTF8.GetBytes(RandomReview(random));
            var scanned = ReviewReader.Read(body);
            string? expected;
            try
            {
                expected = Serializers(body);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
            {
                expected = null;
            }

            if (expected is null)
            {
                refused++;
                Assert.True(scanned.Review is null, Encoding.UTF8.GetString(body));
            }
            else if (scanned.Review is null)
            {
                left++;
            }
            else
            {
                kept++;
                Assert.Equal(expected, Kept(scanned.Review));
            }
        }

        // Each way is taken often enough to mean something.
        Assert.True(kept > 300 && left > 300 && refused > 300, $"kept {kept}, left {left}, refused {refused}");
    }

    /// <summary>The serializer's decoding without the object, of what the reader keeps.</summary>
    private static string Serializers(byte[] body)
    {
        var review = JsonSerializer.Deserialize(body, ReviewDecoding.WithoutObject.AdmissionReview)!;
        if (review.Request is { } request)
        {
            (request.UserInfo, request.Options, request.OldObject) = (null, null, null);
        }

        return Kept(review);
    }

    private static string Kept(AdmissionReview review) => JsonSerializer.Serialize(review, AdmissionJsonContext.Default.AdmissionReview);

    private static string ReplaceFirst(string text, string find, string replace)
    {
        var at = text.IndexOf(find, StringComparison.Ordinal);
        return text[..at] + replace + text[(at + find.Length)..];
    }

    private static string RandomReview(Random random)
    {
        string Pick(params string[] choices) => choices[random.Next(choices.Length)];
        string Text() => random.Next(40) == 0
            ? Pick("\"\\ud800\"", "1", "true", "[]", "{}")
            : Pick("\"\"", "\"v1\"", "\"Pod\"", "\"pods\"", "\"d\\u00e9\"", "\"a\\\"b\"", "null");
        string Generic(int depth) => depth > 2 ? Text() : random.Next(4) switch
        {
            0 => Text(),
            1 => "[" + string.Join(',', Enumerable.Range(0, random.Next(3)).Select(_ => Generic(depth + 1))) + "]",
            _ => "{" + string.Join(',', Enumerable.Range(0, random.Next(4)).Select(j => $"{(random.Next(25) == 0 ? Pick("\"k0\"", "\"k\\u0030\"") : $"\"k{j}\"")}:{Generic(depth + 1)}")) + "}",
        };
        string Part(params string[] keys) => random.Next(20) == 0 ? Pick("null", "[]", "\"x\"") :
            "{" + string.Join(',', keys.Where(_ => random.Next(4) > 0).Select(k => $"\"{k}\":{Text()}").Concat(random.Next(30) == 0 ? [$"\"{Pick(keys)}\":\"dup\""] : []).Concat(random.Next(30) == 0 ? ["\"extra\":1"] : [])) + "}";

        var request = new List<string>
        {
            $"\"uid\":{Pick("\"u-1\"", "\"u\\u002d2\"", Text())}",
            $"\"kind\":{Part("group", "version", "kind")}",
            $"\"resource\":{Part("group", "version", "resource")}",
            $"\"requestKind\":{Part("group", "version", "kind")}",
            $"\"requestResource\":{Part("group", "version", "resource")}",
            $"\"subResource\":{Text()}",
            $"\"requestSubResource\":{Text()}",
            $"\"name\":{Text()}",
            $"\"namespace\":{Text()}",
            $"\"operation\":{Text()}",
            $"\"userInfo\":{Generic(0)}",
            $"\"object\":{(random.Next(20) == 0 ? Text() : Pod)}",
            $"\"oldObject\":{(random.Next(20) == 0 ? "{}" : "null")}",
            $"\"dryRun\":{(random.Next(20) == 0 ? Pick("\"true\"", "0") : Pick("true", "false", "null"))}",
            $"\"options\":{Generic(0)}",
        };
        var fields = request.Where(_ => random.Next(5) > 0).OrderBy(_ => random.Next()).ToList();
        if (random.Next(20) == 0)
        {
            fields.Add(fields.Count > 0 ? Pick([.. fields]) : "\"uid\":\"again\"");
        }

        if (random.Next(12) == 0)
        {
            fields.Add("\"unknown\":{\"x\":1}");
        }

        var top = new List<string>
        {
            $"\"apiVersion\":{Pick("\"admission.k8s.io/v1\"", "\"admission.k8s.io/v1beta1\"", Text())}",
            $"\"kind\":{Pick("\"AdmissionReview\"", Text())}",
            $"\"request\":{(random.Next(15) == 0 ? Text() : "{" + string.Join(',', fields) + "}")}",
        };
        if (random.Next(15) == 0)
        {
            top.Add("\"response\":{\"uid\":\"\",\"allowed\":true}");
        }

        return "{" + string.Join(',', top.OrderBy(_ => random.Next())) + "}";
    }
}
