using System.Text;

namespace Injector.Webhook;

/// <summary>
/// Makes text that comes from a request (pod names, annotation values inside denial messages) safe for a log line:
/// control characters are escaped (a newline cannot start a fake record), and the text is cut to a bounded length.
/// </summary>
public static class LogText
{
    /// <summary>Longest text written for one value; Kubernetes names are at most 253 characters.</summary>
    public const int MaxLength = 512;

    public static string Escape(string? text, int maxLength = MaxLength)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var clean = true;
        foreach (var c in text)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029' || char.IsSurrogate(c))
            {
                clean = false;
                break;
            }
        }

        if (clean && text.Length <= maxLength)
        {
            return text;
        }

        var builder = new StringBuilder(Math.Min(text.Length, maxLength) + 16);
        for (var i = 0; i < text.Length && builder.Length < maxLength; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\\':
                    builder.Append(clean ? "\\" : "\\\\");
                    break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        builder.Append(c).Append(text[++i]);
                    }
                    else if (char.IsControl(c) || c is '\u2028' or '\u2029' || char.IsSurrogate(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        if (builder.Length >= maxLength && text.Length > maxLength)
        {
            builder.Length = char.IsHighSurrogate(builder[maxLength - 1]) ? maxLength - 1 : maxLength;
            builder.Append($"…({text.Length} chars)");
        }

        return builder.ToString();
    }
}
