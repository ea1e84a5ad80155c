namespace Injector.Webhook;

/// <summary>The only places an <see cref="AdmissionResponse"/> is built; nothing writes admission JSON by hand.</summary>
public static class AdmissionResponses
{
    /// <summary>Kubernetes shows warnings to users (kubectl prints them); longer ones are cut to this many characters.</summary>
    public const int MaxWarningLength = 256;

    /// <summary>Admit unchanged.</summary>
    public static AdmissionResponse Allowed(string? uid, IEnumerable<string>? warnings = null) => new()
    {
        Uid = uid ?? "",
        Allowed = true,
        Warnings = CutWarnings(warnings),
    };

    /// <summary>Admit with an RFC 6902 patch (UTF-8 JSON of the operations array).</summary>
    public static AdmissionResponse Patched(string? uid, byte[] jsonPatch, IEnumerable<string>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(jsonPatch);
        return new()
        {
            Uid = uid ?? "",
            Allowed = true,
            Patch = jsonPatch,
            PatchType = AdmissionResponse.JsonPatchType,
            Warnings = CutWarnings(warnings),
        };
    }

    /// <summary>Refuse: the injector decided the pod must not be admitted (bad annotation, bad template …).</summary>
    public static AdmissionResponse Denied(string? uid, string message, IEnumerable<string>? warnings = null) => new()
    {
        Uid = uid ?? "",
        Allowed = false,
        Status = new AdmissionStatus { Message = message },
        Warnings = CutWarnings(warnings),
    };

    /// <summary>Refuse because something failed (undecodable review, unexpected exception); Istio's <c>toAdmissionResponse(err)</c>.</summary>
    public static AdmissionResponse Errored(string? uid, string message) => new()
    {
        Uid = uid ?? "",
        Allowed = false,
        Status = new AdmissionStatus { Message = message },
    };

    /// <summary>Cuts each warning to <see cref="MaxWarningLength"/> characters without splitting a surrogate pair; null when there are none.</summary>
    public static IReadOnlyList<string>? CutWarnings(IEnumerable<string>? warnings)
    {
        if (warnings is null)
        {
            return null;
        }

        var cut = new List<string>();
        foreach (var warning in warnings)
        {
            cut.Add(Cut(warning ?? "", MaxWarningLength));
        }

        return cut.Count == 0 ? null : cut;
    }

    /// <summary>
    /// <paramref name="text"/> cut to <paramref name="max"/> characters without splitting a surrogate pair, with
    /// <paramref name="suffix"/> appended when it was cut.
    /// </summary>
    internal static string Cut(string text, int max, string suffix = "")
    {
        if (text.Length <= max)
        {
            return text;
        }

        var length = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return text[..length] + suffix;
    }
}
