namespace Injector.Webhook;

/// <summary>Something that re-reads files on a timer (certificates, client CA, configuration), started and stopped with the host.</summary>
internal interface IPoller
{
    void Start();

    void Stop();
}
