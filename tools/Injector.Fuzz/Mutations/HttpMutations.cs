using Injector.Fuzz.Cases;

namespace Injector.Fuzz.Mutations;

/// <summary>The HTTP around the review: empty bodies, Content-Type, chunked, HTTP/2, the path and the timeout parameter.</summary>
internal static class HttpMutations
{
    public static IEnumerable<Mutation> All()
    {
        yield return new Mutation("http-empty-body", 2, MutationStage.Final, EmptyBody);
        yield return new Mutation("http-content-type", 3, MutationStage.Final, ContentType);
        yield return new Mutation("http-chunked", 3, MutationStage.Final, Chunked);
        yield return new Mutation("http2", 3, MutationStage.Final, Http2);
        yield return new Mutation("http-path", 3, MutationStage.Final, PathVariant);
        yield return new Mutation("http-timeout-param", 3, MutationStage.Final, TimeoutParameter);
    }

    private static Applied? EmptyBody(CaseDraft d, Random rng)
    {
        d.EmptyBody = true;
        d.ExpectedStatus = 400;
        switch (rng.Next(3))
        {
            case 0:
                d.Chunked = true;
                return new Applied("http-empty-body", "empty chunked body");
            case 1:
                d.Http2 = true;
                return new Applied("http-empty-body", "empty body over HTTP/2");
            default:
                return new Applied("http-empty-body", "Content-Length: 0");
        }
    }

    private static Applied? ContentType(CaseDraft d, Random rng)
    {
        var type = rng.Pick(new string?[] { "text/plain", "application/json; charset=utf-8", "application/JSON", "application/yaml", "application/x-www-form-urlencoded", "", null, "*/*" });
        d.ContentType = type;
        d.ExpectedStatus = 415;
        return new Applied("http-content-type", type is null ? "no Content-Type" : $"Content-Type \"{type}\"");
    }

    private static Applied? Chunked(CaseDraft d, Random rng)
    {
        d.ExpectInjected = d.Names.Count == 0 && d.SeedInjectable;
        d.Chunked = true;
        return new Applied("http-chunked", "chunked, no Content-Length");
    }

    private static Applied? Http2(CaseDraft d, Random rng)
    {
        d.ExpectInjected = d.Names.Count == 0 && d.SeedInjectable;
        d.Http2 = true;
        d.Chunked = rng.Chance(0.5);
        return new Applied("http2", d.Chunked ? "HTTP/2 without Content-Length" : "HTTP/2");
    }

    private static Applied? PathVariant(CaseDraft d, Random rng)
    {
        var path = rng.Pick(new[]
        {
            "/inject/cluster/c1/net/n1", "/inject/:ENV:FOO=bar:ENV:ISTIO_META_X=y", "/inject/", "/inject/cluster", "/inject/a/b/c/d/e/f/g/h",
            "/inject/cluster/" + new string('x', 4000) + "/net/n", "/inject/cluster/--slash--/net/--slash--", "/inject/%E2%82%AC/x", "/inject/:ENV:",
            "/inject/:ENV:=:ENV:==", "/inject/cluster/%0A/net/%22",
        });
        d.PathAndQuery = path + "?timeout=10s";
        return new Applied("http-path", $"path {(path.Length > 60 ? path[..60] + "…" : path)}");
    }

    private static Applied? TimeoutParameter(CaseDraft d, Random rng)
    {
        var query = rng.Pick(new[]
        {
            "timeout=abc", "timeout=", "timeout=-1s", "timeout=0s", "timeout=1h", "timeout=1e9s", "timeout=99999999999999999999999999999999s",
            "timeout=1ms", "timeout=1ns", "timeout=10s&timeout=1s", "", "timeout=5", "timeout=1.5.5s", "timeout=10%00s",
        });
        d.PathAndQuery = query.Length == 0 ? "/inject" : "/inject?" + query;
        return new Applied("http-timeout-param", query.Length == 0 ? "no query" : query);
    }
}
