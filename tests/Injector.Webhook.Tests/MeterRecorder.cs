using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Injector.Webhook.Tests;

/// <summary>Sums what one meter's instruments record, per instrument and tag set (for tests with their own meter name).</summary>
internal sealed class MeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _sums = new(StringComparer.Ordinal);

    public MeterRecorder(string meterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The sum recorded by an instrument with exactly these tags (<c>key=value</c>, any order; none for Istio's).</summary>
    public double Sum(string instrument, params string[] tags) =>
        _sums.GetValueOrDefault(Key(instrument, tags.Order(StringComparer.Ordinal)));

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var pairs = new List<string>();
        foreach (var tag in tags)
        {
            pairs.Add($"{tag.Key}={tag.Value}");
        }

        _sums.AddOrUpdate(Key(instrument.Name, pairs.Order(StringComparer.Ordinal)), value, (_, sum) => sum + value);
    }

    private static string Key(string instrument, IEnumerable<string> tags) => instrument + "{" + string.Join(",", tags) + "}";
}
