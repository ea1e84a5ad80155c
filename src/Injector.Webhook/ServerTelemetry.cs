using Injector.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Injector.Webhook;

/// <summary>
/// OpenTelemetry for the server: metrics always (scraped on <c>/metrics</c> in the Prometheus format, with the
/// runtime's own), traces only when an OTLP endpoint is configured through the standard <c>OTEL_*</c> variables.
/// </summary>
internal static class ServerTelemetry
{
    /// <summary>The .NET runtime's built-in meter: GC, heap, thread pool, CPU time, working set.</summary>
    public const string RuntimeMeter = "System.Runtime";

    /// <summary>
    /// The label sets kept per metric stream, but for <see cref="WebhookMetrics.AdmissionsName"/> (OpenTelemetry's
    /// default, 2,000). A stream's points are allocated when it is made, a large-object array each: at the default,
    /// the 30 families on /metrics took 5.1 of the 18.2 MB the Native AOT server allocated up to its first answer and
    /// a tenth of its CPU (perf), and set off a full collection. Ours have at most a dozen label sets and the
    /// runtime's a few per generation or exception type; a set past the limit is still counted, in the overflow series.
    /// </summary>
    public const int SmallCardinality = 100;

    public static void Add(IServiceCollection services, IConfiguration configuration, WebhookServerOptions options)
    {
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("injector"))
            .WithMetrics(metrics => metrics
                .AddMeter(options.MeterName)
                .AddMeter(RuntimeMeter)
                .AddView(instrument => instrument.Name == WebhookMetrics.AdmissionsName
                    ? null
                    : new MetricStreamConfiguration { CardinalityLimit = SmallCardinality })
                .AddPrometheusExporter(prometheus =>
                {
                    // Every scrape sees the counts as they are; the exporter's default caches answers for 300 ms.
                    prometheus.ScrapeResponseCacheDurationMilliseconds = 0;

                    // Istio's series carry no labels; istiod's exporter leaves the scope out too.
                    prometheus.ScopeInfoEnabled = false;
                }));

        var otlp = TracesEndpoint(configuration) is not null;
        if (otlp || options.ConfigureTracing is not null)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(InjectorTracing.SourceName);
                if (otlp)
                {
                    // The exporter reads OTEL_EXPORTER_OTLP_* (endpoint, protocol, headers, timeout) itself.
                    tracing.AddOtlpExporter();
                }

                options.ConfigureTracing?.Invoke(tracing);
            });
        }
    }

    /// <summary>The OTLP traces endpoint, when one is set: traces are off otherwise (and cost nothing).</summary>
    public static string? TracesEndpoint(IConfiguration configuration) =>
        NonEmpty(configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]) ?? NonEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    /// <summary>The process's <c>OTEL_*</c> environment variables.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> EnvironmentSettings() =>
        Environment.GetEnvironmentVariables()
            .Cast<System.Collections.DictionaryEntry>()
            .Select(e => new KeyValuePair<string, string?>((string)e.Key, e.Value as string))
            .Where(e => e.Key.StartsWith("OTEL_", StringComparison.Ordinal))
            .ToList();

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
