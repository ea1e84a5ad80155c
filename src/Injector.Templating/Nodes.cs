using System.Text;

namespace Injector.Templating;

/// <summary>
/// Parse tree, mirroring Go's text/template/parse nodes. Pos is the offset in the template text
/// (for "NAME:LINE:COL" in execution errors); ToString reproduces the source form Go prints in
/// "executing ... at &lt;...&gt;".
/// </summary>
internal abstract record Node(int Pos);

internal sealed record ListNode(int Pos, List<Node> Nodes) : Node(Pos);

internal sealed record TextNode(int Pos, string Text) : Node(Pos);

internal sealed record ActionNode(int Pos, int Line, PipeNode Pipe) : Node(Pos)
{
    public override string ToString() => "{{" + Pipe + "}}";
}

internal sealed record PipeNode(int Pos, int Line, bool IsAssign, List<VariableNode> Decl, List<CommandNode> Cmds) : Node(Pos)
{
    public override string ToString()
    {
        var sb = new StringBuilder();
        if (Decl.Count > 0)
        {
            sb.Append(string.Join(", ", Decl.Select(static d => d.ToString()))).Append(IsAssign ? " = " : " := ");
        }
        sb.Append(string.Join(" | ", Cmds.Select(static c => c.ToString())));
        return sb.ToString();
    }
}

internal sealed record CommandNode(int Pos, List<Node> Args) : Node(Pos)
{
    public override string ToString() =>
        string.Join(" ", Args.Select(static a => a is PipeNode ? "(" + a + ")" : a.ToString()));
}

/// <summary>A function name, resolved against the registry at parse time.</summary>
internal sealed record IdentifierNode(int Pos, string Name, FunctionEntry Function) : Node(Pos)
{
    public override string ToString() => Name;
}

/// <summary>$x or $x.Field.Chain; Ident[0] is the variable name including "$".</summary>
internal sealed record VariableNode(int Pos, string[] Ident) : Node(Pos)
{
    public override string ToString() => string.Join(".", Ident);
}

internal sealed record DotNode(int Pos) : Node(Pos)
{
    public override string ToString() => ".";
}

internal sealed record NilNode(int Pos) : Node(Pos)
{
    public override string ToString() => "nil";
}

/// <summary>.A.B.C</summary>
internal sealed record FieldNode(int Pos, string[] Ident) : Node(Pos)
{
    public override string ToString() => "." + string.Join(".", Ident);
}

/// <summary>(pipeline).A.B or identifier.A</summary>
internal sealed record ChainNode(int Pos, Node Target, string[] Field) : Node(Pos)
{
    public override string ToString() =>
        (Target is PipeNode ? "(" + Target + ")" : Target.ToString()) + "." + string.Join(".", Field);
}

internal sealed record BoolNode(int Pos, bool Value) : Node(Pos)
{
    public override string ToString() => Value ? "true" : "false";
}

/// <summary>A numeric constant; Value is a boxed long or double, chosen as Go's idealConstant does.</summary>
internal sealed record NumberNode(int Pos, object Value, string Text) : Node(Pos)
{
    public override string ToString() => Text;
}

internal sealed record StringNode(int Pos, string Quoted, string Text) : Node(Pos)
{
    public override string ToString() => Quoted;
}

internal enum BranchKind
{
    If,
    Range,
    With,
}

/// <summary>if / range / with; ElseList holds the else branch ("else if" is a nested IfNode).</summary>
internal sealed record BranchNode(int Pos, int Line, BranchKind Kind, PipeNode Pipe, ListNode List, ListNode? ElseList) : Node(Pos)
{
    public override string ToString() => "{{" + Kind.ToString().ToLowerInvariant() + " " + Pipe + "}}";
}

internal sealed record TemplateNode(int Pos, int Line, string Name, PipeNode? Pipe) : Node(Pos)
{
    public override string ToString() => Pipe is null ? $"{{{{template {GoFormat.Quote(Name)}}}}}" : $"{{{{template {GoFormat.Quote(Name)} {Pipe}}}}}";
}

internal sealed record BreakNode(int Pos, int Line) : Node(Pos)
{
    public override string ToString() => "{{break}}";
}

internal sealed record ContinueNode(int Pos, int Line) : Node(Pos)
{
    public override string ToString() => "{{continue}}";
}

/// <summary>Parser-internal markers for {{end}} and {{else}}; never part of a finished tree.</summary>
internal sealed record EndNode(int Pos) : Node(Pos)
{
    public override string ToString() => "{{end}}";
}

internal sealed record ElseNode(int Pos, int Line) : Node(Pos)
{
    public override string ToString() => "{{else}}";
}
