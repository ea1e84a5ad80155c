using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Injector.Webhook.Tests;

/// <summary>
/// The server's metric streams keep <see cref="ServerTelemetry.SmallCardinality"/> label sets each (a set past it is
/// counted in the overflow series), but for the admissions counter, whose reasons, templates and revisions multiply:
/// it keeps OpenTelemetry's default.
/// </summary>
public sealed class MetricCardinalityTests
{
    [Fact]
    public void Streams_keep_few_label_sets_and_admissions_keep_many()
    {
        var meterName = $"injector-cardinality-test-{Guid.NewGuid():N}";
        var exported = new List<Metric>();
        var services = new ServiceCollection();
        ServerTelemetry.Add(
            services,
            new ConfigurationBuilder().Build(),
            new WebhookServerOptions { TlsCertFile = "unused.crt", TlsKeyFile = "unused.key", MeterName = meterName });
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(exported));

        using var provider = services.BuildServiceProvider();
        var meterProvider = provider.GetRequiredService<MeterProvider>();
        using var meter = new Meter(meterName);
        var small = meter.CreateCounter<long>("injector_test_small_total");
        var admissions = meter.CreateCounter<long>(WebhookMetrics.AdmissionsName);
        const int Sets = ServerTelemetry.SmallCardinality * 3;
        for (var i = 0; i < Sets; i++)
        {
            small.Add(1, new KeyValuePair<string, object?>("n", i));
            admissions.Add(1, new KeyValuePair<string, object?>("n", i));
        }

        // The in-memory reader collects now; the Prometheus reader beside it answers false outside a scrape.
        _ = meterProvider.ForceFlush();

        var smallPoints = Points(exported, "injector_test_small_total");
        var admissionPoints = Points(exported, WebhookMetrics.AdmissionsName);

        // Every measurement is still counted: past the limit, into the overflow series.
        Assert.Equal(Sets, smallPoints.Sum(p => p.GetSumLong()));
        Assert.True(smallPoints.Count <= ServerTelemetry.SmallCardinality + 1, $"{smallPoints.Count} label sets"); // + the overflow series
        Assert.Contains(smallPoints, p => Tags(p).Contains("otel.metric.overflow"));

        Assert.Equal(Sets, admissionPoints.Count);
        Assert.DoesNotContain(admissionPoints, p => Tags(p).Contains("otel.metric.overflow"));
    }

    private static List<MetricPoint> Points(List<Metric> exported, string name)
    {
        var metric = Assert.Single(exported, m => m.Name == name);
        var points = new List<MetricPoint>();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            points.Add(point);
        }

        return points;
    }

    private static List<string> Tags(MetricPoint point)
    {
        var keys = new List<string>();
        foreach (var tag in point.Tags)
        {
            keys.Add(tag.Key);
        }

        return keys;
    }
}
