namespace Injector.Webhook.Events;

/// <summary>Takes admissions to record as Kubernetes Events; never blocks and never fails the admission.</summary>
public interface IAdmissionEventSink
{
    void Add(AdmissionOutcome outcome);
}
