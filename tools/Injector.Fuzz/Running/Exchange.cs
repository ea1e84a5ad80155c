namespace Injector.Fuzz.Running;

/// <summary>How a request failed below HTTP, if it did.</summary>
internal enum ExchangeFailure
{
    None,

    /// <summary>No answer within the client's 15 s.</summary>
    Timeout,

    /// <summary>The connection failed or was dropped before a whole answer arrived.</summary>
    Connection,

    /// <summary>The run was stopped (time limit or Ctrl-C) while the request was in flight: not the server's fault.</summary>
    Cancelled,
}

/// <summary>One request and its answer: the status, the body (capped), the time taken.</summary>
internal sealed record Exchange(
    int? Status,
    string? ContentType,
    byte[] Body,
    bool BodyCapped,
    double Milliseconds,
    ExchangeFailure Failure,
    string? Error,
    string? Protocol);
