using System.Globalization;
using System.Text;

namespace Injector.Templating;

/// <summary>
/// Go's text/template/parse, ported function by function (parse.go) so that the accepted language
/// and the error messages match. Produces the main tree plus every {{define}}/{{block}} tree.
/// </summary>
internal sealed class Parser
{
    private readonly string _parseName;
    private readonly List<Token> _tokens;
    private readonly TemplateFunctions _functions;
    private readonly Dictionary<string, ListNode> _trees;
    private int _index;
    private int _line = 1;
    private List<string> _vars = ["$"];
    private int _rangeDepth;

    /// <summary>
    /// Control structures and parenthesised pipelines nest by recursion; a template (configuration, but from a file
    /// anyone with ConfigMap access can edit) nesting past this is refused rather than allowed to overflow the stack.
    /// </summary>
    internal const int MaxNesting = 200;

    private int _nesting;

    private Parser(string parseName, string text, TemplateFunctions functions, Dictionary<string, ListNode> trees)
    {
        _parseName = parseName;
        _tokens = Lexer.Lex(text);
        _functions = functions;
        _trees = trees;
    }

    /// <summary>Parses <paramref name="text"/>; returns all trees by name (the main one under <paramref name="name"/>).</summary>
    public static Dictionary<string, ListNode> Parse(string name, string text, TemplateFunctions functions)
    {
        var trees = new Dictionary<string, ListNode>(StringComparer.Ordinal);
        var parser = new Parser(name, text, functions, trees);
        var root = parser.ParseRoot();
        parser.AddTree(name, root);
        return trees;
    }

    private TemplateParseException Error(string message) => new($"template: {_parseName}:{_line}: {message}");

    private Token Next()
    {
        var token = _tokens[_index];
        if (token.Type == TokenType.Error)
        {
            _line = token.Line;
            throw Error(token.Value);
        }
        if (_index < _tokens.Count - 1)
        {
            _index++;
        }
        _line = token.Line;
        return token;
    }

    private void Backup() => _index--;

    private Token Peek()
    {
        var token = Next();
        if (token.Type != TokenType.Eof)
        {
            Backup();
        }
        return token;
    }

    private Token NextNonSpace()
    {
        Token token;
        do
        {
            token = Next();
        }
        while (token.Type == TokenType.Space);
        return token;
    }

    private Token PeekNonSpace()
    {
        var token = NextNonSpace();
        if (token.Type != TokenType.Eof)
        {
            Backup();
        }
        return token;
    }

    private Token Expect(TokenType expected, string context)
    {
        var token = NextNonSpace();
        if (token.Type != expected)
        {
            throw Unexpected(token, context);
        }
        return token;
    }

    private TemplateParseException Unexpected(Token token, string context) => Error($"unexpected {Describe(token)} in {context}");

    private static string Describe(Token token)
    {
        if (token.Type == TokenType.Eof)
        {
            return "EOF";
        }
        if (token.Type >= TokenType.Block || token.Type == TokenType.Nil)
        {
            return "<" + token.Value + ">";
        }
        return token.Value.Length > 10 ? GoFormat.Quote(token.Value[..10]) + "..." : GoFormat.Quote(token.Value);
    }

    private ListNode ParseRoot()
    {
        var root = new ListNode(0, []);
        while (Peek().Type != TokenType.Eof)
        {
            if (Peek().Type == TokenType.LeftDelim)
            {
                var mark = _index;
                Next();
                if (NextNonSpace().Type == TokenType.Define)
                {
                    ParseDefinition();
                    continue;
                }
                _index = mark;
            }
            var n = TextOrAction();
            if (n is EndNode or ElseNode)
            {
                throw Error($"unexpected {n}");
            }
            root.Nodes.Add(n);
        }
        return root;
    }

    private void ParseDefinition()
    {
        const string context = "define clause";
        var nameToken = NextNonSpace();
        if (nameToken.Type is not (TokenType.String or TokenType.RawString))
        {
            throw Unexpected(nameToken, context);
        }
        var name = Unquote(nameToken.Value);
        Expect(TokenType.RightDelim, context);
        DefineTree(name, context);
    }

    private void AddTree(string name, ListNode root)
    {
        if (_trees.TryGetValue(name, out var old) && !IsEmptyTree(old))
        {
            if (IsEmptyTree(root))
            {
                return;
            }
            throw Error($"template: multiple definition of template \"{name}\"");
        }
        _trees[name] = root;
    }

    private static bool IsEmptyTree(Node n) => n switch
    {
        ListNode l => l.Nodes.All(IsEmptyTree),
        TextNode t => string.IsNullOrWhiteSpace(t.Text),
        _ => false,
    };

    private (ListNode List, Node Next) ItemList()
    {
        var list = new ListNode(PeekNonSpace().Pos, []);
        while (PeekNonSpace().Type != TokenType.Eof)
        {
            var n = TextOrAction();
            if (n is EndNode or ElseNode)
            {
                return (list, n);
            }
            list.Nodes.Add(n);
        }
        throw Error("unexpected EOF");
    }

    private Node TextOrAction()
    {
        var token = NextNonSpace();
        return token.Type switch
        {
            TokenType.Text => new TextNode(token.Pos, token.Value),
            TokenType.LeftDelim => Action(),
            _ => throw Unexpected(token, "input"),
        };
    }

    private Node Action()
    {
        var token = NextNonSpace();
        switch (token.Type)
        {
            case TokenType.Block:
                return BlockControl();
            case TokenType.Break:
                return BreakOrContinue(token, "break");
            case TokenType.Continue:
                return BreakOrContinue(token, "continue");
            case TokenType.Else:
                return ElseControl();
            case TokenType.End:
                return new EndNode(Expect(TokenType.RightDelim, "end").Pos);
            case TokenType.If:
                return Control(BranchKind.If, "if");
            case TokenType.Range:
                return Control(BranchKind.Range, "range");
            case TokenType.Template:
                return TemplateControl();
            case TokenType.With:
                return Control(BranchKind.With, "with");
        }
        Backup();
        var start = Peek();
        // Variables declared here persist until the enclosing "end".
        return new ActionNode(start.Pos, start.Line, Pipeline("command", TokenType.RightDelim));
    }

    private Node BreakOrContinue(Token token, string word)
    {
        var next = NextNonSpace();
        if (next.Type != TokenType.RightDelim)
        {
            throw Unexpected(next, "{{" + word + "}}");
        }
        if (_rangeDepth == 0)
        {
            throw Error("{{" + word + "}} outside {{range}}");
        }
        return word == "break" ? new BreakNode(token.Pos, token.Line) : new ContinueNode(token.Pos, token.Line);
    }

    private Node ElseControl()
    {
        // "else if" / "else with": leave the keyword pending; the enclosing control parses it.
        var peek = PeekNonSpace();
        if (peek.Type is TokenType.If or TokenType.With)
        {
            return new ElseNode(peek.Pos, peek.Line);
        }
        var token = Expect(TokenType.RightDelim, "else");
        return new ElseNode(token.Pos, token.Line);
    }

    private BranchNode Control(BranchKind kind, string context)
    {
        var varCount = _vars.Count;
        Enter();
        try
        {
            var pipe = Pipeline(context, TokenType.RightDelim);
            if (kind == BranchKind.Range)
            {
                _rangeDepth++;
            }
            var (list, next) = ItemList();
            if (kind == BranchKind.Range)
            {
                _rangeDepth--;
            }
            ListNode? elseList = null;
            if (next is ElseNode)
            {
                var peek = Peek();
                if (kind == BranchKind.If && peek.Type == TokenType.If)
                {
                    Next();
                    elseList = new ListNode(next.Pos, [Control(BranchKind.If, "if")]);
                }
                else if (kind == BranchKind.With && peek.Type == TokenType.With)
                {
                    Next();
                    elseList = new ListNode(next.Pos, [Control(BranchKind.With, "with")]);
                }
                else
                {
                    (elseList, next) = ItemList();
                    if (next is not EndNode)
                    {
                        throw Error($"expected end; found {next}");
                    }
                }
            }
            return new BranchNode(pipe.Pos, pipe.Line, kind, pipe, list, elseList);
        }
        finally
        {
            _nesting--;
            _vars.RemoveRange(varCount, _vars.Count - varCount);
        }
    }

    private void Enter()
    {
        if (++_nesting > MaxNesting)
        {
            throw Error($"nesting deeper than {MaxNesting} levels (if, range, with, else if chains and parentheses count)");
        }
    }

    private TemplateNode TemplateControl()
    {
        const string context = "template clause";
        var token = NextNonSpace();
        var name = TemplateName(token, context);
        PipeNode? pipe = null;
        if (NextNonSpace().Type != TokenType.RightDelim)
        {
            Backup();
            pipe = Pipeline(context, TokenType.RightDelim);
        }
        return new TemplateNode(token.Pos, token.Line, name, pipe);
    }

    private TemplateNode BlockControl()
    {
        const string context = "block clause";
        var token = NextNonSpace();
        var name = TemplateName(token, context);
        var pipe = Pipeline(context, TokenType.RightDelim);
        DefineTree(name, context);
        return new TemplateNode(token.Pos, token.Line, name, pipe);
    }

    private string TemplateName(Token token, string context)
    {
        if (token.Type is TokenType.String or TokenType.RawString)
        {
            return Unquote(token.Value);
        }
        throw Unexpected(token, context);
    }

    private PipeNode Pipeline(string context, TokenType end)
    {
        var start = PeekNonSpace();
        var decl = new List<VariableNode>();
        var isAssign = false;
    decls:
        if (PeekNonSpace() is { Type: TokenType.Variable } v)
        {
            var mark = _index;
            Next();
            // Three-token lookahead, as in Go: "$x foo" is an argument, "$x := foo" a declaration.
            var afterVar = _index;
            var next = PeekNonSpace();
            if (next.Type is TokenType.Assign or TokenType.Declare)
            {
                isAssign = next.Type == TokenType.Assign;
                NextNonSpace();
                decl.Add(new VariableNode(v.Pos, [v.Value]));
                _vars.Add(v.Value);
            }
            else if (next.Type == TokenType.Char && next.Value == ",")
            {
                NextNonSpace();
                decl.Add(new VariableNode(v.Pos, [v.Value]));
                _vars.Add(v.Value);
                if (context == "range" && decl.Count < 2)
                {
                    if (PeekNonSpace().Type is TokenType.Variable or TokenType.RightDelim or TokenType.RightParen)
                    {
                        goto decls;
                    }
                    throw Error("range can only initialize variables");
                }
                throw Error($"too many declarations in {context}");
            }
            else
            {
                _ = afterVar;
                _index = mark;
            }
        }
        var pipe = new PipeNode(start.Pos, start.Line, isAssign, decl, []);
        while (true)
        {
            var token = NextNonSpace();
            if (token.Type == end)
            {
                CheckPipeline(pipe, context);
                return pipe;
            }
            switch (token.Type)
            {
                case TokenType.Bool:
                case TokenType.CharConstant:
                case TokenType.Dot:
                case TokenType.Field:
                case TokenType.Identifier:
                case TokenType.Number:
                case TokenType.Nil:
                case TokenType.RawString:
                case TokenType.String:
                case TokenType.Variable:
                case TokenType.LeftParen:
                    Backup();
                    pipe.Cmds.Add(Command());
                    break;
                default:
                    throw Unexpected(token, context);
            }
        }
    }

    private void CheckPipeline(PipeNode pipe, string context)
    {
        if (pipe.Cmds.Count == 0)
        {
            throw Error($"missing value for {context}");
        }
        for (var i = 1; i < pipe.Cmds.Count; i++)
        {
            if (pipe.Cmds[i].Args[0] is BoolNode or DotNode or NilNode or NumberNode or StringNode)
            {
                throw Error($"non executable command in pipeline stage {i + 1}");
            }
        }
    }

    private CommandNode Command()
    {
        var cmd = new CommandNode(PeekNonSpace().Pos, []);
        while (true)
        {
            PeekNonSpace();
            var operand = Operand();
            if (operand is not null)
            {
                cmd.Args.Add(operand);
            }
            var token = Next();
            if (token.Type == TokenType.Space)
            {
                continue;
            }
            if (token.Type is TokenType.RightDelim or TokenType.RightParen)
            {
                Backup();
            }
            else if (token.Type != TokenType.Pipe)
            {
                throw Unexpected(token, "operand");
            }
            break;
        }
        if (cmd.Args.Count == 0)
        {
            throw Error("empty command");
        }
        return cmd;
    }

    private Node? Operand()
    {
        var node = Term();
        if (node is null)
        {
            return null;
        }
        if (Peek().Type == TokenType.Field)
        {
            var pos = Peek().Pos;
            var fields = new List<string>();
            while (Peek().Type == TokenType.Field)
            {
                fields.Add(Next().Value[1..]);
            }
            node = node switch
            {
                FieldNode f => new FieldNode(f.Pos, [.. f.Ident, .. fields]),
                VariableNode v => new VariableNode(v.Pos, [.. v.Ident, .. fields]),
                BoolNode or StringNode or NumberNode or NilNode or DotNode => throw Error($"unexpected . after term \"{node}\""),
                _ => new ChainNode(pos, node, [.. fields]),
            };
        }
        return node;
    }

    private Node? Term()
    {
        var token = NextNonSpace();
        switch (token.Type)
        {
            case TokenType.Identifier:
                if (!_functions.TryGet(token.Value, out var fn))
                {
                    throw Error($"function \"{token.Value}\" not defined");
                }
                return new IdentifierNode(token.Pos, token.Value, fn);
            case TokenType.Dot:
                return new DotNode(token.Pos);
            case TokenType.Nil:
                return new NilNode(token.Pos);
            case TokenType.Variable:
                return UseVar(token);
            case TokenType.Field:
                return new FieldNode(token.Pos, [token.Value[1..]]);
            case TokenType.Bool:
                return new BoolNode(token.Pos, token.Value == "true");
            case TokenType.CharConstant:
            case TokenType.Number:
                return new NumberNode(token.Pos, ParseNumber(token), token.Value);
            case TokenType.LeftParen:
                Enter();
                var pipeline = Pipeline("parenthesized pipeline", TokenType.RightParen);
                _nesting--;
                return pipeline;
            case TokenType.String:
            case TokenType.RawString:
                return new StringNode(token.Pos, token.Value, Unquote(token.Value));
        }
        Backup();
        return null;
    }

    private VariableNode UseVar(Token token)
    {
        var ident = token.Value.Split('.');
        if (!_vars.Contains(ident[0]))
        {
            throw Error($"undefined variable \"{ident[0]}\"");
        }
        return new VariableNode(token.Pos, ident);
    }

    private object ParseNumber(Token token)
    {
        var text = token.Value;
        if (token.Type == TokenType.CharConstant)
        {
            var s = UnquoteCore(text[1..^1], '\'');
            var runes = s.EnumerateRunes().ToList();
            if (runes.Count != 1)
            {
                throw Error($"malformed character constant: {text}");
            }
            return (long)runes[0].Value;
        }
        var clean = text.Replace("_", "", StringComparison.Ordinal);
        var neg = clean.StartsWith('-');
        var body = clean.TrimStart('+', '-');
        if (body.Length > 1 && body[0] == '0' && char.IsAsciiLetter(body[1]))
        {
            var radix = char.ToLowerInvariant(body[1]) switch
            {
                'x' => 16,
                'o' => 8,
                'b' => 2,
                _ => 0,
            };
            // Hexadecimal floats ("0x1p-2") are not supported.
            if (radix != 0 && !(radix == 16 && body.Contains('p', StringComparison.OrdinalIgnoreCase)))
            {
                try
                {
                    var value = Convert.ToInt64(body[2..], radix);
                    return neg ? -value : value;
                }
                catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
                {
                    throw Error($"illegal number syntax: \"{text}\"");
                }
            }
            throw Error($"illegal number syntax: \"{text}\"");
        }
        if (body.IndexOfAny(['.', 'e', 'E']) >= 0)
        {
            if (double.TryParse(clean, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !body.StartsWith('e') && !body.StartsWith('E'))
            {
                return d;
            }
            throw Error($"illegal number syntax: \"{text}\"");
        }
        if (body.Length > 1 && body[0] == '0')
        {
            try
            {
                var value = Convert.ToInt64(body, 8);
                return neg ? -value : value;
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw Error($"illegal number syntax: \"{text}\"");
            }
        }
        if (long.TryParse(clean, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return l;
        }
        throw Error($"illegal number syntax: \"{text}\"");
    }

    /// <summary>strconv.Unquote for "..." and `...` literals.</summary>
    private string Unquote(string quoted)
    {
        if (quoted[0] == '`')
        {
            return quoted[1..^1].Replace("\r", "", StringComparison.Ordinal);
        }
        return UnquoteCore(quoted[1..^1], '"');
    }

    private string UnquoteCore(string s, char quote)
    {
        if (!s.Contains('\\', StringComparison.Ordinal))
        {
            return s;
        }
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            if (++i >= s.Length)
            {
                throw Error("invalid syntax");
            }
            c = s[i];
            switch (c)
            {
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case '\\': sb.Append('\\'); break;
                case '\'' or '"' when c == quote:
                    sb.Append(c);
                    break;
                case 'x':
                    sb.Append((char)HexValue(s, ref i, 2));
                    break;
                case 'u':
                    sb.Append(char.ConvertFromUtf32(HexValue(s, ref i, 4)));
                    break;
                case 'U':
                    sb.Append(char.ConvertFromUtf32(HexValue(s, ref i, 8)));
                    break;
                case >= '0' and <= '7':
                    if (i + 2 >= s.Length)
                    {
                        throw Error("invalid syntax");
                    }
                    sb.Append((char)Convert.ToInt32(s.Substring(i, 3), 8));
                    i += 2;
                    break;
                default:
                    throw Error("invalid syntax");
            }
        }
        return sb.ToString();
    }

    private int HexValue(string s, ref int i, int digits)
    {
        if (i + digits >= s.Length)
        {
            throw Error("invalid syntax");
        }
        if (!int.TryParse(s.AsSpan(i + 1, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value))
        {
            throw Error("invalid syntax");
        }
        i += digits;
        return value;
    }

    /// <summary>The body of a define or block, up to its end, with a fresh variable scope (only $), as a named template.</summary>
    private void DefineTree(string name, string context)
    {
        var saved = _vars;
        _vars = ["$"];
        var (list, end) = ItemList();
        _vars = saved;
        if (end is not EndNode)
        {
            throw Error($"unexpected {end} in {context}");
        }
        AddTree(name, list);
    }
}
