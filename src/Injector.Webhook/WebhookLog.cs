using Microsoft.Extensions.Logging;

namespace Injector.Webhook;

/// <summary>
/// Source-generated log messages of the webhook. Every value that comes from a request (names, messages quoting
/// annotation values) is passed through <see cref="LogText.Escape"/> by the caller; env values are never logged.
/// </summary>
internal static partial class WebhookLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Run} of pod {PodNamespace}/{PodName}: injected ({Reason}; templates {Templates}; revision {Revision}) in {DurationMs:F1} ms")]
    public static partial void Injected(ILogger logger, string run, string podNamespace, string podName, string reason, string templates, string revision, double durationMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Run} of pod {PodNamespace}/{PodName}: {Outcome} ({Reason}; revision {Revision}) in {DurationMs:F1} ms")]
    public static partial void NotInjected(ILogger logger, string run, string podNamespace, string podName, string outcome, string reason, string revision, double durationMs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "{Run} of pod {PodNamespace}/{PodName}: {Outcome} ({Reason}; revision {Revision}) in {DurationMs:F1} ms: {Message}")]
    public static partial void Refused(ILogger logger, string run, string podNamespace, string podName, string outcome, string reason, string revision, double durationMs, string message);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Rejected injection request ({StatusCode}, {Reason}): {Message}")]
    public static partial void Rejected(ILogger logger, int statusCode, string reason, string message);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "Injector failed on pod {PodNamespace}/{PodName} ({Code})")]
    public static partial void InjectorFailed(ILogger logger, Exception exception, string podNamespace, string podName, string code);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Odd number of inject env entries in path {Path}; ignoring the last key {Key}")]
    public static partial void OddPathEnvKey(ILogger logger, string key, string path);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "Could not write the admission response")]
    public static partial void WriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Serving certificate loaded from {CertFile}: subject {Subject}, serial {Serial}, expires {NotAfter:o}")]
    public static partial void CertificateReloaded(ILogger logger, string certFile, string subject, string serial, DateTime notAfter);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "Could not load the serving certificate from {CertFile} and {KeyFile}; keeping the previous one")]
    public static partial void CertificateReloadFailed(ILogger logger, Exception exception, string certFile, string keyFile);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Injector configuration #{Generation} in force (from {Files}; sha256 {Hash}…)")]
    public static partial void ConfigReloaded(ILogger logger, long generation, string files, string hash);

    [LoggerMessage(EventId = 21, Level = LogLevel.Error, Message = "Refused the new injector configuration (sha256 {Hash}…): {Problem}; the previous configuration stays in force")]
    public static partial void ConfigReloadRefused(ILogger logger, string problem, string hash);

    [LoggerMessage(EventId = 22, Level = LogLevel.Error, Message = "Could not load the new injector configuration (sha256 {Hash}…); the previous configuration stays in force")]
    public static partial void ConfigReloadFailed(ILogger logger, Exception exception, string hash);

    [LoggerMessage(EventId = 23, Level = LogLevel.Warning, Message = "Template {Template} stopped keeping renders: a render asked another question than a kept render with the same answers, so a function it calls is not deterministic; its pods are rendered in full until the configuration is reloaded")]
    public static partial void RenderMemoStopped(ILogger logger, string template);
}
