using System.Text.Json.Nodes;

namespace Injector.Fuzz.Cases;

/// <summary>One request to send and what a correct server answers to it.</summary>
internal sealed class FuzzCase
{
    /// <summary>The server's body limit (6 MiB): a body of this length is accepted, one byte more is refused with 400.</summary>
    public const long BodyLimit = 6L * 1024 * 1024;

    /// <summary>The case number; with the run's seed it regenerates the same request (<c>--only N</c>). Negative for calibration.</summary>
    public required int Index { get; init; }

    /// <summary>The mutations applied, joined with <c>+</c>; <c>normal</c> for an unmutated seed review.</summary>
    public required string Mutation { get; init; }

    public required string Seed { get; init; }

    /// <summary>What was done, short enough to print (never the body).</summary>
    public required string Description { get; init; }

    public required RequestBody Body { get; init; }

    /// <summary>The Content-Type header; null sends none.</summary>
    public string? ContentType { get; init; } = "application/json";

    public bool Chunked { get; init; }

    public bool Http2 { get; init; }

    public string PathAndQuery { get; init; } = "/inject?timeout=10s";

    /// <summary>200, or 400 (empty or oversized body) or 415 (wrong Content-Type).</summary>
    public int ExpectedStatus { get; init; } = 200;

    /// <summary>The review still decodes (valid JSON, apiVersion, kind and a string request.uid intact): the uid must come back.</summary>
    public bool Decodable { get; init; }

    /// <summary>The request uid that must be echoed when <see cref="Decodable"/>.</summary>
    public string? Uid { get; init; }

    /// <summary>The pod as sent, to apply a returned patch to; null when it is not a JSON object.</summary>
    public JsonObject? Pod { get; init; }

    /// <summary>The pod tree holds stand-ins for text spliced into the body: re-read the body to get the real pod.</summary>
    public bool PodApproximate { get; init; }

    /// <summary>A normal request: it must be allowed, with a non-empty patch that applies.</summary>
    public bool ExpectInjected { get; init; }

    /// <summary>Not a pod creation (another kind, resource or a subresource): no patch may come back.</summary>
    public bool ExpectNoPatch { get; init; }

    /// <summary>The review's <c>request.namespace</c>: a re-invocation by the API server carries the same one.</summary>
    public string? RequestNamespace { get; init; }

    /// <summary>After an injected answer, apply the patch and send the result again: that must change nothing.</summary>
    public bool Reinjection { get; init; }

    /// <summary>The re-injection of an injected pod: it must be allowed with no patch or an empty one.</summary>
    public bool ExpectNoop { get; init; }

    /// <summary>Bodies this large are sent one at a time, to keep the fuzzer's memory small.</summary>
    public bool IsLarge => Body.Length > 1024 * 1024;
}
