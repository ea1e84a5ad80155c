using Injector.Core.Templates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook;

/// <summary>
/// Logs a template whose render memo stopped while the server runs: pods are still injected right, each rendered in
/// full, so nothing else would show that a rollout's pods have become many times dearer (the counts are on
/// <c>/metrics</c> as <c>injector_render_memo_stops_total</c>).
/// </summary>
internal sealed class RenderMemoWatch(ILogger<RenderMemoWatch> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        RenderCounters.MemoStopped += OnStopped;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        RenderCounters.MemoStopped -= OnStopped;
        return Task.CompletedTask;
    }

    private void OnStopped(string template) => WebhookLog.RenderMemoStopped(logger, LogText.Escape(template));
}
