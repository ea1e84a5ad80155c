using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Injector.Fuzz.Seeds;

namespace Injector.Fuzz.Cases;

/// <summary>
/// A request being mutated: the review as a JSON tree, plus what cannot live in a tree (text spliced in place of
/// marker strings, a streamed filler, byte-level damage, HTTP settings) and the expectations the mutations leave.
/// </summary>
internal sealed class CaseDraft
{
    private readonly Dictionary<string, string> _splices = new(StringComparer.Ordinal);
    private int _markers;

    public CaseDraft(int index, Seed seed, bool seedInjectable, Random rng)
    {
        Index = index;
        Seed = seed;
        SeedInjectable = seedInjectable;
        Uid = AdmissionReviews.NewUid(rng);
        Review = AdmissionReviews.For((JsonObject)seed.Pod.DeepClone(), Uid);
    }

    public int Index { get; }

    public Seed Seed { get; }

    /// <summary>The unmutated seed was injected at calibration.</summary>
    public bool SeedInjectable { get; }

    public JsonObject Review { get; }

    public string Uid { get; set; }

    public List<string> Names { get; } = [];

    public List<string> Details { get; } = [];

    public bool Decodable { get; set; } = true;

    public bool PodApproximate { get; set; }

    public bool ExpectNoPatch { get; set; }

    public bool ExpectInjected { get; set; }

    public bool Reinjection { get; set; }

    public int ExpectedStatus { get; set; } = 200;

    public string? ContentType { get; set; } = "application/json";

    public bool Chunked { get; set; }

    public bool Http2 { get; set; }

    public string PathAndQuery { get; set; } = "/inject?timeout=10s";

    public bool EmptyBody { get; set; }

    /// <summary>A final mutation (bytes, HTTP, size) was applied: nothing may follow it.</summary>
    public bool Finalized { get; set; }

    /// <summary>A filler: the marker, inside a JSON string, becomes <c>Pattern × Repeats</c> (or enough repeats for a total body length).</summary>
    public FillSpec? Fill { get; set; }

    /// <summary>Damage done to the finished bytes (invalid UTF-8, truncation); makes the body not a decodable review unless <see cref="BytesKeepReview"/>.</summary>
    public Func<byte[], byte[]>? Bytes { get; set; }

    /// <summary>The byte damage leaves valid JSON with the same review (whitespace around it).</summary>
    public bool BytesKeepReview { get; set; }

    public JsonObject? Request => Review["request"] as JsonObject;

    public JsonObject? Pod => Request?["object"] as JsonObject;

    /// <summary>A fresh marker string that appears nowhere else.</summary>
    public string NewMarker() => $"@@FUZZ-{(++_markers).ToString(CultureInfo.InvariantCulture)}@@";

    /// <summary>A JSON string value to put in the tree; in the body it becomes <paramref name="rawJson"/> (any JSON text, or none at all).</summary>
    public JsonNode SpliceValue(string rawJson)
    {
        var marker = NewMarker();
        _splices["\"" + marker + "\""] = rawJson;
        PodApproximate = true;
        return JsonValue.Create(marker);
    }

    /// <summary>Any text of the body (a property with its value, say) replaced by <paramref name="rawText"/>.</summary>
    public void Splice(string text, string rawText)
    {
        _splices[text] = rawText;
        PodApproximate = true;
    }

    /// <summary>A piece of a string's content; in the body it becomes <paramref name="rawText"/> (raw escapes such as <c>\ud800</c>).</summary>
    public string SpliceInString(string rawText)
    {
        var marker = NewMarker();
        _splices[marker] = rawText;
        PodApproximate = true;
        return marker;
    }

    public FuzzCase Build()
    {
        RequestBody body;
        if (EmptyBody)
        {
            body = new BytesBody([]);
        }
        else
        {
            var text = Review.ToJsonString(AdmissionReviews.TextOptions);
            foreach (var (marker, raw) in _splices)
            {
                text = text.Replace(marker, raw, StringComparison.Ordinal);
            }

            var bytes = Encoding.UTF8.GetBytes(text);
            if (Fill is { } fill)
            {
                body = Filled(bytes, fill);
            }
            else
            {
                body = new BytesBody(Bytes is { } damage ? damage(bytes) : bytes);
            }
        }

        return new FuzzCase
        {
            Index = Index,
            Mutation = Names.Count == 0 ? "normal" : string.Join('+', Names),
            Seed = Seed.Name,
            Description = Details.Count == 0 ? "unmutated seed review" : string.Join("; ", Details),
            Body = body,
            ContentType = ContentType,
            Chunked = Chunked,
            Http2 = Http2,
            PathAndQuery = PathAndQuery,
            ExpectedStatus = ExpectedStatus,
            Decodable = Decodable && (Bytes is null || BytesKeepReview) && !EmptyBody,
            Uid = Uid,
            Pod = Pod,
            PodApproximate = PodApproximate,
            ExpectInjected = ExpectInjected,
            ExpectNoPatch = ExpectNoPatch,
            Reinjection = Reinjection,
            RequestNamespace = Request?["namespace"] is JsonValue ns && ns.TryGetValue<string>(out var requestNamespace) ? requestNamespace : null,
        };
    }

    private static FilledBody Filled(byte[] bytes, FillSpec fill)
    {
        var marker = Encoding.UTF8.GetBytes(fill.Marker);
        var at = bytes.AsSpan().IndexOf(marker);
        if (at < 0)
        {
            throw new InvalidOperationException("the filler marker is not in the body");
        }

        var prefix = bytes[..at];
        var suffix = bytes[(at + marker.Length)..];
        var repeats = fill.TotalBytes is { } total
            ? Math.Max(0, (total - prefix.Length - suffix.Length) / fill.Pattern.Length)
            : fill.Repeats;
        return new FilledBody(prefix, fill.Pattern, repeats, suffix);
    }
}

/// <summary>A streamed filler; <see cref="TotalBytes"/>, when set, sizes it so the whole body has exactly that length (pattern of one byte).</summary>
internal sealed record FillSpec(string Marker, byte[] Pattern, long Repeats, long? TotalBytes = null);
