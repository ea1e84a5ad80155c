using System.Text.Json;
using Injector.Core.Kube;

namespace Injector.Webhook;

/// <summary>What one pass over a review's bytes found.</summary>
/// <param name="Problem">Why the review is refused before it is decoded (a string past the limit), or null.</param>
/// <param name="Object">Where <c>request.object</c> lies in the body (its raw bytes are the memo's key); null when absent or not found before a problem.</param>
/// <param name="Review">
/// The review without its object, when it has the shape the API server sends; null otherwise, and then the serializer
/// decodes it (<see cref="ReviewDecoding"/>) and gives its verdict in its own words.
/// </param>
internal readonly record struct ScannedReview(string? Problem, Range? Object, AdmissionReview? Review);

/// <summary>
/// One forward pass over the raw review before anything else reads it. A string token longer than
/// <see cref="PodLimits.MaxStringLength"/> is refused here, so it is never unescaped or transcoded (that would go
/// through the runtime's shared buffer pools, which keep megabyte buffers long after the request). The same pass
/// finds <c>request.object</c> and, for the API server's shape, reads the rest of the review: a memo hit then reads
/// the body once instead of three times.
/// </summary>
/// <remarks>
/// The decoding here accepts only what <see cref="ReviewDecoding.WithoutObject"/> accepts, and gives what it gives.
/// Anything it is not sure of falls back to the serializer: unknown or repeated keys, a value of the wrong type,
/// escaped text in the parts it does not keep, a non-null <c>oldObject</c>, or an object of more than
/// <see cref="MaxKeys"/> keys. <c>userInfo</c>, <c>options</c> and <c>oldObject</c> are checked (no repeated key,
/// bounded depth) but not kept: the webhook never reads them. The body must already be valid UTF-8
/// (<see cref="AdmissionHandler"/> checks it first): the parts not kept are compared as bytes, not decoded.
/// </remarks>
internal static class ReviewReader
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = ReviewDecoding.MaxDepth };

    /// <summary>The most keys one of the parts not kept may have before the serializer is left to check it.</summary>
    internal const int MaxKeys = 32;

    private enum Frame : byte
    {
        Root,
        Request,
        Kind,
        Resource,
        Fallback,
        Unkept,
        UnkeptArray,
        Pod,
    }

    private enum Field : byte
    {
        None,
        ApiVersion,
        Kind,
        Request,
        Uid,
        RequestKindField,
        ResourceField,
        SubResource,
        RequestKind,
        RequestResource,
        RequestSubResource,
        Name,
        Namespace,
        Operation,
        UserInfo,
        Object,
        OldObject,
        DryRun,
        Options,
        Group,
        Version,
        KindName,
        ResourceName,
    }

    private struct Level
    {
        public Frame Frame;
        public Field Pending;
        public int Seen;
        public int NamesStart;
    }

    public static ScannedReview Read(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, Options);
        Range? found = null;
        var inRequest = false;
        var objectNext = false;
        long objectStart = -1;

        // The shape's state: one level per open container, and the key names of the open parts not kept.
        Span<Level> levels = stackalloc Level[ReviewDecoding.MaxDepth + 1];
        Span<(int Start, int Length)> names = stackalloc (int, int)[MaxKeys * 4];
        var nameCount = 0;
        var fast = true;
        var sawRoot = false;
        var review = new AdmissionReview();
        GroupVersionKind? gvk = null;
        GroupVersionResource? gvr = null;

        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
                {
                    var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
                    if (length > PodLimits.MaxStringLength)
                    {
                        return new($"the review holds a string of {length} bytes, more than the limit of {PodLimits.MaxStringLength} (Linux passes at most 128 KiB per environment variable or argument; large data belongs in a volume)", null, null);
                    }
                }

                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName when reader.CurrentDepth == 1:
                        inRequest = Is(ref reader, "request"u8);
                        break;
                    case JsonTokenType.PropertyName when reader.CurrentDepth == 2 && inRequest:
                        objectNext = Is(ref reader, "object"u8);
                        break;
                    case JsonTokenType.StartObject when objectNext && reader.CurrentDepth == 2:
                        objectStart = reader.TokenStartIndex;
                        objectNext = false;
                        break;
                    case JsonTokenType.EndObject when objectStart >= 0 && reader.CurrentDepth == 2:
                        found = new Range((int)objectStart, (int)reader.BytesConsumed);
                        objectStart = -1;
                        break;
                    default:
                        if (reader.CurrentDepth == 2 && reader.TokenType is not JsonTokenType.PropertyName)
                        {
                            objectNext = false;
                        }

                        break;
                }

                fast = fast && Shape(ref reader, body, levels, names, ref nameCount, ref sawRoot, review, ref gvk, ref gvr);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Malformed, or text that does not decode: the serializer's message is better.
            return new(null, null, null);
        }

        return new(null, found, fast && sawRoot ? review : null);
    }

    /// <summary>Follows one token through the review's shape; false when the serializer has to decide instead.</summary>
    private static bool Shape(
        ref Utf8JsonReader reader,
        ReadOnlySpan<byte> body,
        scoped Span<Level> levels,
        scoped Span<(int Start, int Length)> names,
        ref int nameCount,
        ref bool sawRoot,
        AdmissionReview review,
        ref GroupVersionKind? gvk,
        ref GroupVersionResource? gvr)
    {
        var depth = reader.CurrentDepth;
        switch (reader.TokenType)
        {
            case JsonTokenType.PropertyName:
                {
                    ref var level = ref levels[depth - 1];
                    switch (level.Frame)
                    {
                        case Frame.Pod:
                            return true;
                        case Frame.Unkept:
                            return NewName(ref reader, body, level.NamesStart, names, ref nameCount);
                        default:
                            var field = Known(level.Frame, ref reader);
                            var bit = 1 << (int)field;
                            if (field == Field.None || (level.Seen & bit) != 0)
                            {
                                // An unknown key (the serializer skips it) or a repeated one (it refuses it).
                                return false;
                            }

                            level.Seen |= bit;
                            level.Pending = field;
                            return true;
                    }
                }

            case JsonTokenType.EndObject:
            case JsonTokenType.EndArray:
                if (levels[depth].Frame == Frame.Unkept)
                {
                    nameCount = levels[depth].NamesStart;
                }

                return true;

            case JsonTokenType.StartObject:
            case JsonTokenType.StartArray:
                {
                    var isObject = reader.TokenType == JsonTokenType.StartObject;
                    Frame frame;
                    if (depth == 0)
                    {
                        if (!isObject)
                        {
                            return false;
                        }

                        sawRoot = true;
                        frame = Frame.Root;
                    }
                    else
                    {
                        ref var parent = ref levels[depth - 1];
                        frame = parent.Frame switch
                        {
                            Frame.Pod => Frame.Pod,
                            Frame.Unkept or Frame.UnkeptArray => isObject ? Frame.Unkept : Frame.UnkeptArray,
                            _ => Container(parent.Pending, isObject),
                        };

                        if (frame == Frame.Fallback)
                        {
                            return false;
                        }

                        // A kept part opens: the object it fills, under the key it came by.
                        if (frame is Frame.Request or Frame.Kind or Frame.Resource)
                        {
                            switch (parent.Pending)
                            {
                                case Field.Request: review.Request = new AdmissionRequest(); break;
                                case Field.RequestKindField: review.Request!.Kind = gvk = new GroupVersionKind(); break;
                                case Field.RequestKind: review.Request!.RequestKind = gvk = new GroupVersionKind(); break;
                                case Field.ResourceField: review.Request!.Resource = gvr = new GroupVersionResource(); break;
                                case Field.RequestResource: review.Request!.RequestResource = gvr = new GroupVersionResource(); break;
                            }
                        }
                    }

                    levels[depth] = new Level { Frame = frame, NamesStart = nameCount };
                    return true;
                }

            default:
                return depth != 0 && Value(ref reader, levels[depth - 1], review, gvk, gvr);
        }
    }

    /// <summary>What a container under a known key is; <see cref="Frame.Fallback"/> when the serializer has to read it.</summary>
    private static Frame Container(Field field, bool isObject) => field switch
    {
        Field.Request when isObject => Frame.Request,
        Field.RequestKindField or Field.RequestKind when isObject => Frame.Kind,
        Field.ResourceField or Field.RequestResource when isObject => Frame.Resource,
        Field.Object => Frame.Pod,
        Field.UserInfo or Field.Options => isObject ? Frame.Unkept : Frame.UnkeptArray,
        _ => Frame.Fallback,
    };

    /// <summary>A scalar under a known key (or inside a part not kept).</summary>
    private static bool Value(ref Utf8JsonReader reader, Level level, AdmissionReview review, GroupVersionKind? gvk, GroupVersionResource? gvr)
    {
        var type = reader.TokenType;
        switch (level.Frame)
        {
            case Frame.Pod:
                return true;
            case Frame.Unkept:
            case Frame.UnkeptArray:
                // Escaped text is left to the serializer, which also refuses what cannot be unescaped.
                return type != JsonTokenType.String || !reader.ValueIsEscaped;
        }

        var request = review.Request;
        switch (level.Pending)
        {
            case Field.UserInfo or Field.Options:
                return type != JsonTokenType.String || !reader.ValueIsEscaped;
            case Field.Object:
                // Not an object: there is no key, and the serializer reads the review.
                return true;
            case Field.OldObject:
                return type == JsonTokenType.Null;
            case Field.DryRun:
                if (type is not (JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null))
                {
                    return false;
                }

                request!.DryRun = type == JsonTokenType.Null ? null : type == JsonTokenType.True;
                return true;
            case Field.Request or Field.RequestKindField or Field.RequestKind or Field.ResourceField or Field.RequestResource:
                // A null part; anything else but an object is the serializer's error to report.
                return type == JsonTokenType.Null;
        }

        if (type is not (JsonTokenType.String or JsonTokenType.Null))
        {
            return false;
        }

        string? text;
        try
        {
            text = reader.GetString();
        }
        catch (InvalidOperationException)
        {
            // Escapes that do not make text (a lone surrogate).
            return false;
        }

        switch (level.Pending)
        {
            case Field.ApiVersion: review.ApiVersion = text; break;
            case Field.Kind: review.Kind = text; break;
            case Field.Uid: request!.Uid = text; break;
            case Field.SubResource: request!.SubResource = text; break;
            case Field.RequestSubResource: request!.RequestSubResource = text; break;
            case Field.Name: request!.Name = text; break;
            case Field.Namespace: request!.Namespace = text; break;
            case Field.Operation: request!.Operation = text; break;
            case Field.Group when level.Frame == Frame.Kind: gvk!.Group = text; break;
            case Field.Version when level.Frame == Frame.Kind: gvk!.Version = text; break;
            case Field.KindName: gvk!.Kind = text; break;
            case Field.Group: gvr!.Group = text; break;
            case Field.Version: gvr!.Version = text; break;
            case Field.ResourceName: gvr!.Resource = text; break;
            default: return false;
        }

        return true;
    }

    /// <summary>
    /// Whether a property name is <paramref name="name"/>. An escaped name is never compared: one whose escapes make no
    /// text (a lone surrogate) would throw, and an escaped key is nothing the API server writes, so the review is left
    /// to the serializer (without the memo, when it is <c>request</c> or <c>object</c>).
    /// </summary>
    private static bool Is(ref Utf8JsonReader reader, ReadOnlySpan<byte> name) => !reader.ValueIsEscaped && reader.ValueTextEquals(name);

    /// <summary>The known key a property name is at this level (the serializer's names: camelCase, exact case); an escaped name is none.</summary>
    private static Field Known(Frame frame, ref Utf8JsonReader reader) => reader.ValueIsEscaped ? Field.None : frame switch
    {
        Frame.Root => reader.ValueTextEquals("apiVersion"u8) ? Field.ApiVersion
            : reader.ValueTextEquals("kind"u8) ? Field.Kind
            : reader.ValueTextEquals("request"u8) ? Field.Request
            : Field.None,
        Frame.Request => reader.ValueTextEquals("uid"u8) ? Field.Uid
            : reader.ValueTextEquals("kind"u8) ? Field.RequestKindField
            : reader.ValueTextEquals("resource"u8) ? Field.ResourceField
            : reader.ValueTextEquals("subResource"u8) ? Field.SubResource
            : reader.ValueTextEquals("requestKind"u8) ? Field.RequestKind
            : reader.ValueTextEquals("requestResource"u8) ? Field.RequestResource
            : reader.ValueTextEquals("requestSubResource"u8) ? Field.RequestSubResource
            : reader.ValueTextEquals("name"u8) ? Field.Name
            : reader.ValueTextEquals("namespace"u8) ? Field.Namespace
            : reader.ValueTextEquals("operation"u8) ? Field.Operation
            : reader.ValueTextEquals("userInfo"u8) ? Field.UserInfo
            : reader.ValueTextEquals("object"u8) ? Field.Object
            : reader.ValueTextEquals("oldObject"u8) ? Field.OldObject
            : reader.ValueTextEquals("dryRun"u8) ? Field.DryRun
            : reader.ValueTextEquals("options"u8) ? Field.Options
            : Field.None,
        Frame.Kind => reader.ValueTextEquals("group"u8) ? Field.Group
            : reader.ValueTextEquals("version"u8) ? Field.Version
            : reader.ValueTextEquals("kind"u8) ? Field.KindName
            : Field.None,
        Frame.Resource => reader.ValueTextEquals("group"u8) ? Field.Group
            : reader.ValueTextEquals("version"u8) ? Field.Version
            : reader.ValueTextEquals("resource"u8) ? Field.ResourceName
            : Field.None,
        _ => Field.None,
    };

    /// <summary>
    /// A key of a part not kept: unescaped (so its bytes are its text) and not already among this object's keys.
    /// </summary>
    private static bool NewName(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, int start, scoped Span<(int Start, int Length)> names, ref int nameCount)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence || nameCount == names.Length || nameCount - start >= MaxKeys)
        {
            return false;
        }

        var name = reader.ValueSpan;
        for (var i = start; i < nameCount; i++)
        {
            if (body.Slice(names[i].Start, names[i].Length).SequenceEqual(name))
            {
                return false;
            }
        }

        // An unescaped name's bytes lie just after the token's opening quote.
        names[nameCount++] = ((int)reader.TokenStartIndex + 1, name.Length);
        return true;
    }
}
