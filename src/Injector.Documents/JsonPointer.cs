namespace Injector.Documents;

/// <summary>RFC 6901 JSON Pointer helpers.</summary>
public static class JsonPointer
{
    /// <summary>Escapes one reference token: "~" → "~0", "/" → "~1" (in that order, as the RFC requires).</summary>
    public static string Escape(string token) =>
        token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    public static string Append(string pointer, string token) => pointer + "/" + Escape(token);

    public static string Append(string pointer, int index) =>
        pointer + "/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
