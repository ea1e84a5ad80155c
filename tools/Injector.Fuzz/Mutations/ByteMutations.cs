using System.Text;
using Injector.Fuzz.Cases;

namespace Injector.Fuzz.Mutations;

/// <summary>Damage below JSON: invalid UTF-8, raw control bytes, truncation, a BOM, bytes around the document.</summary>
internal static class ByteMutations
{
    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF], [0xFE], [0xC0, 0x80], [0xC3], [0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xF8, 0x88, 0x80, 0x80, 0x80],
    ];

    public static IEnumerable<Mutation> All()
    {
        yield return new Mutation("invalid-utf8", 5, MutationStage.Final, SpliceInvalidUtf8);
        yield return new Mutation("truncate", 4, MutationStage.Final, Truncate);
        yield return new Mutation("bytes-around", 2, MutationStage.Final, BytesAround);
    }

    private static Applied? SpliceInvalidUtf8(CaseDraft d, Random rng)
    {
        if (d.Fill is not null)
        {
            return null;
        }

        var bad = rng.Pick(InvalidUtf8);
        var hex = string.Join(' ', bad.Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
        var strings = d.Pod is { } pod ? PodNav.Slots(pod, "/request/object").Where(s => s.Value is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out _)).ToList() : [];
        if (strings.Count > 0 && rng.Chance(0.6))
        {
            // Inside a string value, so that only the encoding is wrong.
            var slot = rng.Pick(strings);
            var marker = d.NewMarker();
            slot.Set(slot.Value!.GetValue<string>() + marker);
            var markerBytes = Encoding.UTF8.GetBytes(marker);
            d.Bytes = body => Replace(body, markerBytes, bad);
            return new Applied("invalid-utf8", $"bytes {hex} inside the string at {slot.Pointer}");
        }

        var fraction = rng.NextDouble();
        d.Bytes = body =>
        {
            var at = (int)(fraction * body.Length);
            return [.. body.AsSpan(0, at), .. bad, .. body.AsSpan(at)];
        };
        return new Applied("invalid-utf8", $"bytes {hex} at {fraction:P0} of the body");
    }

    private static Applied? Truncate(CaseDraft d, Random rng)
    {
        if (d.Fill is not null)
        {
            return null;
        }

        var variant = rng.Next(4);
        var fraction = rng.NextDouble();
        d.Bytes = body => variant switch
        {
            0 => body[..^1],
            1 => body[..1],
            _ => body[..Math.Max(1, (int)(fraction * body.Length))],
        };
        return new Applied("truncate", variant switch
        {
            0 => "body without its last byte",
            1 => "body cut to its first byte",
            _ => $"body cut at {fraction:P0}",
        });
    }

    private static Applied? BytesAround(CaseDraft d, Random rng)
    {
        if (d.Fill is not null)
        {
            return null;
        }

        switch (rng.Next(5))
        {
            case 0:
                d.Bytes = body => [0xEF, 0xBB, 0xBF, .. body];
                return new Applied("bytes-around", "UTF-8 BOM before the document");
            case 1:
                d.Bytes = body => [.. body, .. "xyz"u8];
                return new Applied("bytes-around", "garbage after the document");
            case 2:
                d.Bytes = body => [.. body, .. body];
                return new Applied("bytes-around", "the document twice");
            case 3:
                d.Bytes = body => [.. " \n\t\r "u8, .. body, .. "\n\n  "u8];
                d.BytesKeepReview = true;
                return new Applied("bytes-around", "JSON whitespace around the document (still valid)");
            default:
                var marker = d.NewMarker();
                if (d.Pod is not { } pod || PodNav.Object(pod, "metadata") is not { } metadata)
                {
                    return null;
                }

                metadata["name"] = "a" + marker + "b";
                var markerBytes = Encoding.UTF8.GetBytes(marker);
                var raw = rng.Pick(new byte[][] { [0x00], [0x0A], [0x09], [0x1F] });
                d.Bytes = body => Replace(body, markerBytes, raw);
                return new Applied("bytes-around", $"raw control byte 0x{raw[0]:X2} inside metadata.name (invalid JSON)");
        }
    }

    private static byte[] Replace(byte[] body, byte[] marker, byte[] with)
    {
        var at = body.AsSpan().IndexOf(marker);
        return at < 0 ? body : [.. body.AsSpan(0, at), .. with, .. body.AsSpan(at + marker.Length)];
    }
}
