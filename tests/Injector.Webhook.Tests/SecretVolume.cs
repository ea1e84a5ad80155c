namespace Injector.Webhook.Tests;

/// <summary>A Secret volume holding <c>tls.crt</c> and <c>tls.key</c>, updated the way the kubelet does.</summary>
internal sealed class SecretVolume : IDisposable
{
    private readonly KubeletVolume _volume = new();

    public string Root => _volume.Root;

    public string CertFile => Path.Combine(Root, "tls.crt");

    public string KeyFile => Path.Combine(Root, "tls.key");

    /// <summary>Publishes a new pair the way the kubelet does.</summary>
    public void Publish(string certPem, string keyPem) =>
        _volume.Publish(new Dictionary<string, string> { ["tls.crt"] = certPem, ["tls.key"] = keyPem });

    public void Dispose() => _volume.Dispose();
}
