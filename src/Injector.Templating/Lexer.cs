namespace Injector.Templating;

internal enum TokenType
{
    Error,
    Eof,
    Text,
    LeftDelim,
    RightDelim,
    Space,
    Identifier,
    Field,
    Variable,
    Dot,
    Nil,
    Bool,
    Number,
    CharConstant,
    String,
    RawString,
    Pipe,
    LeftParen,
    RightParen,
    Declare,
    Assign,
    Char,
    // Keywords.
    Block,
    Break,
    Continue,
    Define,
    Else,
    End,
    If,
    Range,
    Template,
    With,
}

/// <summary>A lexical token; Pos is the offset in the template text, Line is 1-based.</summary>
internal readonly record struct Token(TokenType Type, string Value, int Pos, int Line)
{
    public override string ToString() => Type switch
    {
        TokenType.Eof => "EOF",
        TokenType.Error => Value,
        TokenType.Text or TokenType.String or TokenType.RawString => Value.Length > 10 ? $"{Value[..10]}..." : Value,
        _ => Value,
    };
}

/// <summary>
/// Go's text/template lexer (lex.go), run eagerly into a token list: text outside actions,
/// tokens inside <c>{{ }}</c>, trim markers applied to neighbouring text, comments dropped.
/// A lexing error ends the list with an Error token; the parser reports it when it reaches it,
/// so an earlier parse error still wins as in Go.
/// </summary>
internal sealed class Lexer
{
    private const string LeftDelim = "{{";
    private const string RightDelim = "}}";

    private readonly string _input;
    private readonly List<Token> _tokens = [];
    private int _pos;
    private int _start;
    private int _line = 1;
    private int _startLine = 1;
    private int _parenDepth;

    private Lexer(string input) => _input = input;

    public static List<Token> Lex(string input)
    {
        var lexer = new Lexer(input);
        lexer.Run();
        return lexer._tokens;
    }

    private void Run()
    {
        var trimNextText = false;
        while (true)
        {
            // Text up to the next left delimiter.
            var next = _input.IndexOf(LeftDelim, _pos, StringComparison.Ordinal);
            var textEnd = next < 0 ? _input.Length : next;
            var trimLeft = next >= 0 && HasLeftTrimMarker(next + LeftDelim.Length);
            var textStart = _pos;
            if (trimNextText)
            {
                while (textStart < textEnd && IsSpace(_input[textStart]))
                {
                    textStart++;
                }
            }
            var trimmedEnd = textEnd;
            if (trimLeft)
            {
                while (trimmedEnd > textStart && IsSpace(_input[trimmedEnd - 1]))
                {
                    trimmedEnd--;
                }
            }
            if (trimmedEnd > textStart)
            {
                _tokens.Add(new Token(TokenType.Text, _input[textStart..trimmedEnd], textStart, _line + CountNewlines(_pos, textStart)));
            }
            _line += CountNewlines(_pos, textEnd);
            _pos = textEnd;
            if (next < 0)
            {
                _tokens.Add(new Token(TokenType.Eof, "", _pos, _line));
                return;
            }
            if (!LexAction(trimLeft, out trimNextText))
            {
                return;
            }
        }
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private bool HasLeftTrimMarker(int at) => at + 1 < _input.Length && _input[at] == '-' && IsSpace(_input[at + 1]);

    /// <summary>Right delimiter at _pos, possibly preceded by the " -" trim marker.</summary>
    private bool AtRightDelim(out bool trim)
    {
        trim = false;
        if (_pos + 2 < _input.Length && IsSpace(_input[_pos]) && _input[_pos + 1] == '-' && string.CompareOrdinal(_input, _pos + 2, RightDelim, 0, 2) == 0)
        {
            trim = true;
            return true;
        }
        return string.CompareOrdinal(_input, _pos, RightDelim, 0, 2) == 0;
    }

    private int CountNewlines(int from, int to)
    {
        var n = 0;
        for (var i = from; i < to; i++)
        {
            if (_input[i] == '\n')
            {
                n++;
            }
        }
        return n;
    }

    private void Emit(TokenType type)
    {
        _tokens.Add(new Token(type, _input[_start.._pos], _start, _startLine));
        _start = _pos;
        _startLine = _line;
    }

    private bool Error(string message)
    {
        _tokens.Add(new Token(TokenType.Error, message, _start, _startLine));
        return false;
    }

    private void Advance(int n)
    {
        for (var i = 0; i < n && _pos < _input.Length; i++)
        {
            if (_input[_pos] == '\n')
            {
                _line++;
            }
            _pos++;
        }
    }

    private void Ignore()
    {
        _start = _pos;
        _startLine = _line;
    }

    /// <summary>Lexes one action starting at "{{"; returns false after an error token.</summary>
    private bool LexAction(bool trimLeft, out bool trimRight)
    {
        trimRight = false;
        _start = _pos;
        _startLine = _line;
        Advance(LeftDelim.Length);
        if (trimLeft)
        {
            Advance(2);
        }
        // Comments must follow the delimiter (and trim marker) immediately.
        if (string.CompareOrdinal(_input, _pos, "/*", 0, 2) == 0)
        {
            var end = _input.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
            if (end < 0)
            {
                return Error("unclosed comment");
            }
            Advance(end + 2 - _pos);
            if (!AtRightDelim(out var trim))
            {
                return Error("comment ends before closing delimiter");
            }
            Advance(trim ? 4 : 2);
            trimRight = trim;
            return true;
        }
        _pos = _start;
        _line = _startLine;
        Advance(LeftDelim.Length);
        Emit(TokenType.LeftDelim);
        if (trimLeft)
        {
            Advance(2);
            Ignore();
        }
        _parenDepth = 0;
        while (true)
        {
            if (AtRightDelim(out var trim))
            {
                if (_parenDepth > 0)
                {
                    return Error("unclosed left paren");
                }
                if (trim)
                {
                    Advance(2);
                    Ignore();
                }
                Advance(2);
                Emit(TokenType.RightDelim);
                trimRight = trim;
                return true;
            }
            if (_pos >= _input.Length)
            {
                return Error("unclosed action");
            }
            var c = _input[_pos];
            if (IsSpace(c))
            {
                while (_pos < _input.Length && IsSpace(_input[_pos]) && !AtRightDelimWithTrim())
                {
                    Advance(1);
                }
                Emit(TokenType.Space);
                continue;
            }
            switch (c)
            {
                case '=':
                    Advance(1);
                    Emit(TokenType.Assign);
                    continue;
                case ':':
                    if (_pos + 1 >= _input.Length || _input[_pos + 1] != '=')
                    {
                        return Error("expected :=");
                    }
                    Advance(2);
                    Emit(TokenType.Declare);
                    continue;
                case '|':
                    Advance(1);
                    Emit(TokenType.Pipe);
                    continue;
                case '"':
                    if (!LexQuote())
                    {
                        return false;
                    }
                    continue;
                case '`':
                    if (!LexRawQuote())
                    {
                        return false;
                    }
                    continue;
                case '$':
                    if (!LexFieldOrVariable(TokenType.Variable))
                    {
                        return false;
                    }
                    continue;
                case '\'':
                    if (!LexChar())
                    {
                        return false;
                    }
                    continue;
                case '.':
                    if (_pos + 1 < _input.Length && !char.IsAsciiDigit(_input[_pos + 1]))
                    {
                        if (!LexFieldOrVariable(TokenType.Field))
                        {
                            return false;
                        }
                        continue;
                    }
                    if (_pos + 1 >= _input.Length)
                    {
                        if (!LexFieldOrVariable(TokenType.Field))
                        {
                            return false;
                        }
                        continue;
                    }
                    if (!LexNumber())
                    {
                        return false;
                    }
                    continue;
                case '(':
                    Advance(1);
                    Emit(TokenType.LeftParen);
                    _parenDepth++;
                    continue;
                case ')':
                    _parenDepth--;
                    if (_parenDepth < 0)
                    {
                        Advance(1);
                        return Error("unexpected right paren");
                    }
                    Advance(1);
                    Emit(TokenType.RightParen);
                    continue;
                case ',':
                    Advance(1);
                    Emit(TokenType.Char);
                    continue;
            }
            if (c is '+' or '-' || char.IsAsciiDigit(c))
            {
                if (!LexNumber())
                {
                    return false;
                }
                continue;
            }
            if (IsAlphaNumeric(c))
            {
                if (!LexIdentifier())
                {
                    return false;
                }
                continue;
            }
            Advance(1);
            return Error($"unrecognized character in action: {FormatRune(c)}");
        }
    }

    private bool AtRightDelimWithTrim() =>
        _pos + 2 < _input.Length && IsSpace(_input[_pos]) && _input[_pos + 1] == '-' && string.CompareOrdinal(_input, _pos + 2, RightDelim, 0, 2) == 0;

    private static string FormatRune(char c) => $"U+{(int)c:X4} '{c}'";

    private static bool IsAlphaNumeric(char c) => c == '_' || char.IsLetterOrDigit(c);

    private bool AtTerminator()
    {
        if (_pos >= _input.Length)
        {
            return true;
        }
        var c = _input[_pos];
        return IsSpace(c) || c is '.' or ',' or '|' or ':' or ')' or '(' || string.CompareOrdinal(_input, _pos, RightDelim, 0, 2) == 0;
    }

    private bool LexIdentifier()
    {
        while (_pos < _input.Length && IsAlphaNumeric(_input[_pos]))
        {
            Advance(1);
        }
        if (!AtTerminator())
        {
            return Error($"bad character {FormatRune(_input[_pos])}");
        }
        var word = _input[_start.._pos];
        var type = word switch
        {
            "block" => TokenType.Block,
            "break" => TokenType.Break,
            "continue" => TokenType.Continue,
            "define" => TokenType.Define,
            "else" => TokenType.Else,
            "end" => TokenType.End,
            "if" => TokenType.If,
            "range" => TokenType.Range,
            "nil" => TokenType.Nil,
            "template" => TokenType.Template,
            "with" => TokenType.With,
            "true" or "false" => TokenType.Bool,
            _ => TokenType.Identifier,
        };
        Emit(type);
        return true;
    }

    /// <summary>".Field", "." alone, "$var" or "$" alone.</summary>
    private bool LexFieldOrVariable(TokenType type)
    {
        Advance(1);
        if (AtTerminator())
        {
            Emit(type == TokenType.Variable ? TokenType.Variable : TokenType.Dot);
            return true;
        }
        while (_pos < _input.Length && IsAlphaNumeric(_input[_pos]))
        {
            Advance(1);
        }
        if (!AtTerminator())
        {
            return Error($"bad character {FormatRune(_input[_pos])}");
        }
        Emit(type);
        return true;
    }

    private bool LexQuote()
    {
        Advance(1);
        while (true)
        {
            if (_pos >= _input.Length || _input[_pos] == '\n')
            {
                return Error("unterminated quoted string");
            }
            var c = _input[_pos];
            if (c == '\\')
            {
                Advance(1);
                if (_pos >= _input.Length || _input[_pos] == '\n')
                {
                    return Error("unterminated quoted string");
                }
            }
            else if (c == '"')
            {
                Advance(1);
                break;
            }
            Advance(1);
        }
        Emit(TokenType.String);
        return true;
    }

    private bool LexRawQuote()
    {
        var end = _input.IndexOf('`', _pos + 1);
        if (end < 0)
        {
            return Error("unterminated raw quoted string");
        }
        Advance(end + 1 - _pos);
        Emit(TokenType.RawString);
        return true;
    }

    private bool LexChar()
    {
        Advance(1);
        while (true)
        {
            if (_pos >= _input.Length || _input[_pos] == '\n')
            {
                return Error("unterminated character constant");
            }
            var c = _input[_pos];
            if (c == '\\')
            {
                Advance(1);
            }
            else if (c == '\'')
            {
                Advance(1);
                break;
            }
            Advance(1);
        }
        Emit(TokenType.CharConstant);
        return true;
    }

    private bool LexNumber()
    {
        if (_pos < _input.Length && _input[_pos] is '+' or '-')
        {
            Advance(1);
        }
        var digits = "0123456789_";
        if (_pos + 1 < _input.Length && _input[_pos] == '0' && _input[_pos + 1] is 'x' or 'X' or 'o' or 'O' or 'b' or 'B')
        {
            digits = _input[_pos + 1] switch
            {
                'x' or 'X' => "0123456789abcdefABCDEF_",
                'o' or 'O' => "01234567_",
                _ => "01_",
            };
            Advance(2);
        }
        var isHex = digits.Length > 20;
        Accept(digits);
        if (_pos < _input.Length && _input[_pos] == '.')
        {
            Advance(1);
            Accept(digits);
        }
        if (_pos < _input.Length && (isHex ? _input[_pos] is 'p' or 'P' : _input[_pos] is 'e' or 'E'))
        {
            Advance(1);
            if (_pos < _input.Length && _input[_pos] is '+' or '-')
            {
                Advance(1);
            }
            Accept("0123456789_");
        }
        if (_pos < _input.Length && IsAlphaNumeric(_input[_pos]))
        {
            Advance(1);
            return Error($"bad number syntax: \"{_input[_start.._pos]}\"");
        }
        Emit(TokenType.Number);
        return true;
    }

    private void Accept(string valid)
    {
        while (_pos < _input.Length && valid.Contains(_input[_pos], StringComparison.Ordinal))
        {
            Advance(1);
        }
    }
}
