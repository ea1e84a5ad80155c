namespace Injector.Webhook.Tests;

public sealed class PathEnvTests
{
    [Theory]
    [InlineData("/inject", "")]
    [InlineData("/inject/", "")]
    [InlineData("", "")]
    [InlineData("/inject/cluster/c1", "ISTIO_META_CLUSTER_ID=c1")]
    [InlineData("/inject/cluster/c1/net/n1", "ISTIO_META_CLUSTER_ID=c1;ISTIO_META_NETWORK=n1")]
    [InlineData("/inject/cluster/c1/net/n1/", "ISTIO_META_CLUSTER_ID=c1;ISTIO_META_NETWORK=n1")]
    [InlineData("/inject/foo/bar", "FOO=bar")]
    [InlineData("/inject/Foo_bar/Baz", "FOO_BAR=Baz")]
    [InlineData("/inject/cluster/c1/odd", "ISTIO_META_CLUSTER_ID=c1")]
    [InlineData("/inject/odd", "")]
    [InlineData("/inject/net/a--slash--b--slash--c", "ISTIO_META_NETWORK=a/b/c")]
    [InlineData("/inject/x--slash--y/v", "X--SLASH--Y=v")]
    [InlineData("/inject/cluster/c1/cluster/c2", "ISTIO_META_CLUSTER_ID=c2")]
    [InlineData("/inject/cluster//net/n1", "ISTIO_META_CLUSTER_ID=;ISTIO_META_NETWORK=n1")]
    [InlineData("/inject/:ENV:cluster=c1:ENV:net=n1", "ISTIO_META_CLUSTER_ID=c1;ISTIO_META_NETWORK=n1")]
    [InlineData("/inject/:ENV:K1=v1:ENV:K2=v2", "K1=v1;K2=v2")]
    [InlineData("/inject/:ENV:k1=v1=w", "K1=v1=w")]
    [InlineData("/inject/:ENV:K1=:ENV:K2=v2", "K1=;K2=v2")]
    [InlineData("/inject/:ENV:=v0:ENV:K2=v2", "K2=v2")]
    [InlineData("/inject/:ENV:NOEQUALS:ENV:K2=v2", "K2=v2")]
    [InlineData("/inject/:ENV:K1=a--slash--b", "K1=a/b")]
    [InlineData("/inject/:ENV:K1=v1/", "K1=v1")]
    public void Parses_like_Istio(string path, string expected)
    {
        var env = PathEnv.Parse(path);

        Assert.Equal(expected, string.Join(";", env.Select(e => $"{e.Key}={e.Value}")));
    }

    [Fact]
    public void Odd_trailing_key_is_reported()
    {
        var dropped = new List<string>();

        PathEnv.Parse("/inject/cluster/c1/lonely", dropped.Add);

        Assert.Equal(["lonely"], dropped);
    }
}
