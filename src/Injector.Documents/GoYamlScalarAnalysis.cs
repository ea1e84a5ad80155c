using System.Text;

namespace Injector.Documents;

/// <summary>Scalar styles of the libyaml emitter.</summary>
internal enum GoYamlScalarStyle
{
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

/// <summary>
/// Port of libyaml's <c>yaml_emitter_analyze_scalar</c> (go-yaml v2 emitterc.go): decides which styles can
/// represent a string without changing its meaning. Flow contexts never occur for us (go-yaml only uses flow
/// style for empty collections), so only the block-context flags are kept.
/// </summary>
internal readonly record struct GoYamlScalarAnalysis(
    bool Multiline,
    bool BlockPlainAllowed,
    bool SingleQuotedAllowed,
    bool BlockAllowed)
{
    public static GoYamlScalarAnalysis Analyze(string value)
    {
        if (value.Length == 0)
        {
            return new GoYamlScalarAnalysis(false, true, true, false);
        }

        var runes = Runes(value);
        var blockIndicators = false;
        var lineBreaks = false;
        var specialCharacters = false;
        var leadingSpace = false;
        var leadingBreak = false;
        var trailingSpace = false;
        var trailingBreak = false;
        var breakSpace = false;
        var spaceBreak = false;
        var previousSpace = false;
        var previousBreak = false;

        if (value.StartsWith("---", StringComparison.Ordinal) || value.StartsWith("...", StringComparison.Ordinal))
        {
            blockIndicators = true;
        }

        var precededByWhitespace = true;
        for (var i = 0; i < runes.Length; i++)
        {
            var c = runes[i];
            var followedByWhitespace = i + 1 >= runes.Length || IsBlank(runes[i + 1]);
            if (i == 0)
            {
                switch (c)
                {
                    case '#' or ',' or '[' or ']' or '{' or '}' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`':
                        blockIndicators = true;
                        break;
                    case '?' or ':':
                        if (followedByWhitespace)
                        {
                            blockIndicators = true;
                        }

                        break;
                    case '-':
                        if (followedByWhitespace)
                        {
                            blockIndicators = true;
                        }

                        break;
                }
            }
            else
            {
                switch (c)
                {
                    case ':':
                        if (followedByWhitespace)
                        {
                            blockIndicators = true;
                        }

                        break;
                    case '#':
                        if (precededByWhitespace)
                        {
                            blockIndicators = true;
                        }

                        break;
                }
            }

            if (!IsPrintable(c))
            {
                specialCharacters = true;
            }

            if (c == ' ')
            {
                if (i == 0)
                {
                    leadingSpace = true;
                }

                if (i == runes.Length - 1)
                {
                    trailingSpace = true;
                }

                if (previousBreak)
                {
                    breakSpace = true;
                }

                previousSpace = true;
                previousBreak = false;
            }
            else if (IsBreak(c))
            {
                lineBreaks = true;
                if (i == 0)
                {
                    leadingBreak = true;
                }

                if (i == runes.Length - 1)
                {
                    trailingBreak = true;
                }

                if (previousSpace)
                {
                    spaceBreak = true;
                }

                previousSpace = false;
                previousBreak = true;
            }
            else
            {
                previousSpace = false;
                previousBreak = false;
            }

            precededByWhitespace = IsBlank(c) || IsBreak(c) || c == 0;
        }

        var blockPlain = true;
        var singleQuoted = true;
        var block = true;
        if (leadingSpace || leadingBreak || trailingSpace || trailingBreak)
        {
            blockPlain = false;
        }

        if (trailingSpace)
        {
            block = false;
        }

        if (breakSpace)
        {
            blockPlain = false;
            singleQuoted = false;
        }

        if (spaceBreak || specialCharacters)
        {
            blockPlain = false;
            singleQuoted = false;
            block = false;
        }

        if (lineBreaks || blockIndicators)
        {
            blockPlain = false;
        }

        return new GoYamlScalarAnalysis(lineBreaks, blockPlain, singleQuoted, block);
    }

    /// <summary>libyaml's <c>yaml_emitter_select_scalar_style</c> for block context.</summary>
    public GoYamlScalarStyle Select(GoYamlScalarStyle requested, bool simpleKey, bool empty)
    {
        var style = requested;
        if (simpleKey && Multiline)
        {
            style = GoYamlScalarStyle.DoubleQuoted;
        }

        if (style == GoYamlScalarStyle.Plain && (!BlockPlainAllowed || (empty && simpleKey)))
        {
            style = GoYamlScalarStyle.SingleQuoted;
        }

        if (style == GoYamlScalarStyle.SingleQuoted && !SingleQuotedAllowed)
        {
            style = GoYamlScalarStyle.DoubleQuoted;
        }

        if (style == GoYamlScalarStyle.Literal && (!BlockAllowed || simpleKey))
        {
            style = GoYamlScalarStyle.DoubleQuoted;
        }

        return style;
    }

    internal static int[] Runes(string value)
    {
        var list = new List<int>(value.Length);
        foreach (var r in value.EnumerateRunes())
        {
            list.Add(r.Value);
        }

        return [.. list];
    }

    internal static bool IsBlank(int c) => c is ' ' or '\t';

    internal static bool IsBreak(int c) => c is '\r' or '\n' or 0x85 or 0x2028 or 0x2029;

    /// <summary>libyaml's is_printable, expressed on code points instead of UTF-8 bytes.</summary>
    internal static bool IsPrintable(int c) =>
        c == 0x0A
        || (c >= 0x20 && c <= 0x7E)
        || (c >= 0xA0 && c <= 0xD7FF)
        || (c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF);

    internal static string FromRune(int c) => new Rune(c).ToString();
}
