namespace Injector.Webhook;

/// <summary>Whether the server is shutting down; <c>/readyz</c> reads it so the pod leaves the Service's endpoints first.</summary>
internal sealed class ShutdownState
{
    private volatile bool _draining;

    public bool Draining
    {
        get => _draining;
        set => _draining = value;
    }
}
