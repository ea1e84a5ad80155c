namespace Injector.Templating;

internal enum Flow
{
    Normal,
    Break,
    Continue,
}

/// <summary>
/// One rendering: Go's exec.go "state". Created per Execute call, so a parsed template can be
/// rendered concurrently. Values flow as plain objects (see <see cref="Values"/>); a nil pipeline
/// result becomes <see cref="Missing"/>, as Go's evalPipeline turns a nil interface into an
/// invalid reflect.Value (which is why Go prints "&lt;no value&gt;" for a nil map entry).
/// </summary>
internal sealed class Executor
{
    /// <summary>
    /// Nested template calls (Go allows 100,000 on its growable stacks). Each call is a few frames of .NET stack, so
    /// the depth is capped well below what a thread's stack holds, and the stack itself is checked as well.
    /// </summary>
    internal const int MaxDepth = 1000;

    /// <summary>The most characters one render may write; a template looping over large values fails instead of exhausting memory.</summary>
    internal const int MaxOutputChars = 16 * 1024 * 1024;

    private CancellationToken _cancellation;

    private readonly TextWriter _out;
    private readonly List<KeyValuePair<string, object?>> _vars;
    private GoTemplate _template = null!;
    private string _execName = "";
    private Node? _at;
    private int _depth;

    /// <summary>Index in <see cref="_vars"/> of the current template's "$": a template call sees only its own variables.</summary>
    private int _varBase;

    /// <summary>The run's data when it knows the Go struct types of its maps.</summary>
    private ITypedMaps? _typed;

    /// <summary>Where the run records what it reads of its data (for <see cref="RenderMemo{T}"/>), or null.</summary>
    private TemplateReads? _reads;

    /// <summary>An executor writing to <paramref name="output"/>; <see cref="Run"/> may be called again once a run is over.</summary>
    public Executor(TextWriter output, List<KeyValuePair<string, object?>> vars)
    {
        _out = output;
        _vars = vars;
    }

    public void Run(GoTemplate template, string execName, ListNode root, object? data, CancellationToken cancellation = default, TemplateReads? reads = null)
    {
        _cancellation = cancellation;
        _template = template;
        _execName = execName;
        _at = null;
        _depth = 0;
        _varBase = 0;
        _vars.Clear();
        _typed = data as ITypedMaps;
        var dot = data is null ? Missing.Value : Values.Normalize(data);
        _reads = reads;
        reads?.Begin(dot);
        _vars.Add(new("$", dot));
        try
        {
            Walk(dot, root);
        }
        finally
        {
            _reads = null;
        }
    }

    private TemplateExecutionException Error(string message, Exception? inner = null)
    {
        string full;
        if (_at is null)
        {
            full = $"template: {_execName}: {message}";
        }
        else
        {
            var text = _template.Text;
            var pos = Math.Min(_at.Pos, text.Length);
            var lastNl = text.LastIndexOf('\n', Math.Max(pos - 1, 0));
            if (pos == 0)
            {
                lastNl = -1;
            }
            var col = lastNl < 0 ? pos : pos - (lastNl + 1);
            var line = 1;
            for (var i = 0; i < pos; i++)
            {
                if (text[i] == '\n')
                {
                    line++;
                }
            }
            full = $"template: {_template.Name}:{line}:{col}: executing \"{_execName}\" at <{_at}>: {message}";
        }
        return inner is null ? new TemplateExecutionException(full) : new TemplateExecutionException(full, inner);
    }

    private Flow Walk(object? dot, Node node)
    {
        switch (node)
        {
            case TextNode t:
                _out.Write(t.Text);
                return Flow.Normal;
            case ActionNode a:
                var val = EvalPipeline(dot, a.Pipe);
                if (a.Pipe.Decl.Count == 0)
                {
                    PrintValue(a, val);
                }
                return Flow.Normal;
            case ListNode l:
                var nodes = l.Nodes;
                for (var i = 0; i < nodes.Count; i++)
                {
                    var flow = Walk(dot, nodes[i]);
                    if (flow != Flow.Normal)
                    {
                        return flow;
                    }
                }
                return Flow.Normal;
            case BranchNode b:
                return b.Kind == BranchKind.Range ? WalkRange(dot, b) : WalkIfOrWith(dot, b);
            case TemplateNode t:
                WalkTemplate(dot, t);
                return Flow.Normal;
            case BreakNode:
                return Flow.Break;
            case ContinueNode:
                return Flow.Continue;
            default:
                _at = node;
                throw Error($"unknown node: {node}");
        }
    }

    private void PrintValue(Node node, object? val)
    {
        _at = node;
        switch (val)
        {
            case string s:
                _out.Write(s);
                break;
            case bool b:
                _out.Write(b ? "true" : "false");
                break;
            case long l:
                Span<char> digits = stackalloc char[20];
                l.TryFormat(digits, out var written, default, System.Globalization.CultureInfo.InvariantCulture);
                _out.Write(digits[..written]);
                break;
            case TemplateFunction:
                throw Error("can't print " + node + " of type func");
            default:
                _reads?.Whole(val);
                _out.Write(GoFormat.FormatValue(val));
                break;
        }
    }

    private Flow WalkIfOrWith(object? dot, BranchNode b)
    {
        var mark = _vars.Count;
        var val = EvalPipeline(dot, b.Pipe);
        _reads?.Truth(val);
        Flow flow;
        if (Truth.IsTrue(val))
        {
            flow = Walk(b.Kind == BranchKind.With ? val : dot, b.List);
        }
        else
        {
            flow = b.ElseList is null ? Flow.Normal : Walk(dot, b.ElseList);
        }
        Pop(mark);
        return flow;
    }

    private Flow WalkRange(object? dot, BranchNode r)
    {
        _at = r;
        var mark = _vars.Count;
        var val = EvalPipeline(dot, r.Pipe);
        var ran = false;
        var result = Flow.Normal;
        if (val is Missing or null)
        {
            // Go: ranging over nil is not an error, it runs the else branch.
        }
        else if (Values.IsMap(val))
        {
            // Its keys and values in order, read whole.
            _reads?.Whole(val);
            foreach (var kv in Values.SortedEntries(val))
            {
                ran = true;
                if (OneIteration(r, kv.Key, kv.Value) == Flow.Break)
                {
                    break;
                }
            }
        }
        else if (Values.IsList(val))
        {
            var list = Values.AsList(val);
            _reads?.Length(val);
            for (var i = 0; i < list.Count; i++)
            {
                ran = true;
                var elem = list[i];
                _reads?.Element(val, i, elem);
                if (OneIteration(r, (long)i, elem) == Flow.Break)
                {
                    break;
                }
            }
        }
        else if (val is long n)
        {
            // Go 1.22: range over an integer.
            if (r.Pipe.Decl.Count > 1)
            {
                _at = r;
                throw Error($"can't use {n} to iterate over more than one variable");
            }
            for (long i = 0; i < n; i++)
            {
                ran = true;
                if (OneIteration(r, i, i) == Flow.Break)
                {
                    break;
                }
            }
        }
        else
        {
            _at = r;
            throw Error($"range can't iterate over {GoFormat.FormatValue(val)}");
        }
        if (!ran && r.ElseList is not null)
        {
            result = Walk(dot, r.ElseList);
        }
        Pop(mark);
        return result;
    }

    private Flow OneIteration(BranchNode r, object? index, object? elem)
    {
        // Loops and template calls are where a render can run long: the request's deadline is checked there.
        _cancellation.ThrowIfCancellationRequested();
        var decl = r.Pipe.Decl;
        if (decl.Count > 0)
        {
            if (r.Pipe.IsAssign)
            {
                SetVar(decl[0].Ident[0], decl.Count > 1 ? index : elem);
                if (decl.Count > 1)
                {
                    SetVar(decl[1].Ident[0], elem);
                }
            }
            else
            {
                // Declared variables were pushed by EvalPipeline: the element is on top.
                SetTopVar(1, elem);
                if (decl.Count > 1)
                {
                    SetTopVar(2, index);
                }
            }
        }
        var mark = _vars.Count;
        var flow = Walk(elem, r.List);
        Pop(mark);
        return flow;
    }

    private void WalkTemplate(object? dot, TemplateNode t)
    {
        _at = t;
        if (!_template.Trees.TryGetValue(t.Name, out var tree))
        {
            throw Error($"template {GoFormat.Quote(t.Name)} not defined");
        }
        _cancellation.ThrowIfCancellationRequested();
        if (_depth >= MaxDepth || !System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw Error($"exceeded maximum template depth ({MaxDepth})");
        }
        var newDot = t.Pipe is null ? Missing.Value : EvalPipeline(dot, t.Pipe);
        // A template call gets a fresh variable scope holding only "$": variables below the new base are invisible.
        var savedBase = _varBase;
        var savedName = _execName;
        var mark = _vars.Count;
        _varBase = mark;
        _vars.Add(new("$", newDot));
        _execName = t.Name;
        _depth++;
        Walk(newDot, tree);
        _depth--;
        _execName = savedName;
        Pop(mark);
        _varBase = savedBase;
    }

    private void Pop(int mark)
    {
        if (_vars.Count > mark)
        {
            _vars.RemoveRange(mark, _vars.Count - mark);
        }
    }

    private void SetTopVar(int n, object? value) => _vars[^n] = new(_vars[^n].Key, value);

    private void SetVar(string name, object? value)
    {
        for (var i = _vars.Count - 1; i >= _varBase; i--)
        {
            if (_vars[i].Key == name)
            {
                _vars[i] = new(name, value);
                return;
            }
        }
        throw Error($"undefined variable: {name}");
    }

    private object? VarValue(string name)
    {
        for (var i = _vars.Count - 1; i >= _varBase; i--)
        {
            if (_vars[i].Key == name)
            {
                return _vars[i].Value;
            }
        }
        throw Error($"undefined variable: {name}");
    }

    private object? EvalPipeline(object? dot, PipeNode pipe)
    {
        _at = pipe;
        object? value = null;
        var hasFinal = false;
        var cmds = pipe.Cmds;
        for (var i = 0; i < cmds.Count; i++)
        {
            value = EvalCommand(dot, cmds[i], value, hasFinal) ?? Missing.Value;
            hasFinal = true;
        }
        foreach (var variable in pipe.Decl)
        {
            if (pipe.IsAssign)
            {
                SetVar(variable.Ident[0], value);
            }
            else
            {
                _vars.Add(new(variable.Ident[0], value));
            }
        }
        return value;
    }

    private object? EvalCommand(object? dot, CommandNode cmd, object? final, bool hasFinal)
    {
        var first = cmd.Args[0];
        switch (first)
        {
            case FieldNode f:
                _at = f;
                return EvalFieldChain(dot, dot, f, f.Ident, 0, cmd.Args, final, hasFinal);
            case ChainNode c:
                return EvalChainNode(dot, c, cmd.Args, final, hasFinal);
            case IdentifierNode id:
                return EvalFunction(dot, id, cmd, cmd.Args, final, hasFinal);
            case PipeNode p:
                NotAFunction(cmd.Args, hasFinal);
                return EvalPipeline(dot, p);
            case VariableNode v:
                return EvalVariableNode(dot, v, cmd.Args, final, hasFinal);
        }
        _at = first;
        NotAFunction(cmd.Args, hasFinal);
        return first switch
        {
            BoolNode b => Values.Bool(b.Value),
            DotNode => dot,
            NilNode => throw Error("nil is not a command"),
            NumberNode n => n.Value,
            StringNode s => s.Text,
            _ => throw Error($"can't evaluate command {first}"),
        };
    }

    private void NotAFunction(List<Node> args, bool hasFinal)
    {
        if (args.Count > 1 || hasFinal)
        {
            throw Error($"can't give argument to non-function {args[0]}");
        }
    }

    private object? EvalChainNode(object? dot, ChainNode chain, List<Node>? args, object? final, bool hasFinal)
    {
        _at = chain;
        if (chain.Target is NilNode)
        {
            throw Error($"indirection through explicit nil in {chain}");
        }
        var pipe = EvalArg(dot, chain.Target);
        _at = chain;
        return EvalFieldChain(dot, pipe, chain, chain.Field, 0, args, final, hasFinal);
    }

    private object? EvalVariableNode(object? dot, VariableNode v, List<Node>? args, object? final, bool hasFinal)
    {
        _at = v;
        var value = VarValue(v.Ident[0]);
        if (v.Ident.Length == 1)
        {
            if (args is not null)
            {
                NotAFunction(args, hasFinal);
            }
            return value;
        }
        return EvalFieldChain(dot, value, v, v.Ident, 1, args, final, hasFinal);
    }

    private object? EvalFieldChain(object? dot, object? receiver, Node node, string[] ident, int start, List<Node>? args, object? final, bool hasFinal)
    {
        for (var i = start; i < ident.Length - 1; i++)
        {
            receiver = EvalField(dot, ident[i], node, null, null, false, receiver);
        }
        return EvalField(dot, ident[^1], node, args, final, hasFinal, receiver);
    }

    private object? EvalField(object? dot, string name, Node node, List<Node>? args, object? final, bool hasFinal, object? receiver)
    {
        if (receiver is Missing)
        {
            // Go: field access on an invalid value (e.g. an absent map key) quietly yields invalid.
            return Missing.Value;
        }
        _at = node;
        if (receiver is null)
        {
            throw Error($"nil pointer evaluating interface {{}}.{name}");
        }
        var hasArgs = (args is not null && args.Count > 1) || hasFinal;
        if (Values.IsMap(receiver))
        {
            if (hasArgs)
            {
                throw Error($"{name} is not a method but has arguments");
            }
            var found = MapField(receiver, name, _typed);
            _reads?.Field(receiver, name, found);
            return found;
        }
        if (receiver is ITemplateFields fields)
        {
            if (!fields.TryGetField(name, out var value))
            {
                throw Error($"can't evaluate field {name} in type {receiver.GetType().Name}");
            }
            if (value is TemplateFunction method)
            {
                if (_reads is not null && _reads.IsTracked(receiver))
                {
                    // What a method of the data computes is not a read the memo can check.
                    _reads.Abandon($"the method {name} of the data was called");
                }
                var given = args is null ? 0 : args.Count - 1;
                var argv = given + (hasFinal ? 1 : 0) == 0 ? [] : new object?[given + (hasFinal ? 1 : 0)];
                for (var i = 0; i < given; i++)
                {
                    argv[i] = Values.ForFunction(EvalArg(dot, args![i + 1]));
                }
                if (hasFinal)
                {
                    argv[^1] = Values.ForFunction(final);
                }
                if (_reads is not null)
                {
                    foreach (var arg in argv)
                    {
                        _reads.Whole(arg);
                    }
                }
                _at = node;
                return Call(name, method, argv);
            }
            if (hasArgs)
            {
                throw Error($"{name} has arguments but cannot be invoked as function");
            }
            var normalized = Values.Normalize(value);
            _reads?.Field(receiver, name, normalized);
            return normalized;
        }
        // Protobuf enums are strings here; Istio's templates call their String() method (.InterceptionMode.String).
        if (receiver is string text && name == "String" && !hasArgs)
        {
            return text;
        }

        throw Error($"can't evaluate field {name} in type {Values.GoTypeName(receiver)}");
    }

    /// <summary>A field of a map: the key, else (a Go name over Kubernetes JSON: .Spec.Containers reads "containers") its camel-case key, else a typed struct's zero value, else no value.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static object? MapField(object receiver, string name, ITypedMaps? typed)
    {
        if (Values.TryLookup(receiver, name, out var value))
        {
            return value;
        }
        if (name.Length > 0 && char.IsUpper(name[0]))
        {
            var camel = CamelCase(name);
            if (Values.TryLookup(receiver, camel, out value))
            {
                return value;
            }

            if (typed is not null && receiver is System.Text.Json.Nodes.JsonObject map && typed.TryZeroField(map, name, out value))
            {
                return Values.Normalize(value);
            }
        }
        return Missing.Value;
    }

    /// <summary>A field read as <see cref="EvalField"/> reads it without arguments, for a memo checking a recorded read; false where it would fail.</summary>
    internal static bool TryReadField(object receiver, string name, ITypedMaps? typed, out object? value)
    {
        value = null;
        if (receiver is Missing)
        {
            value = Missing.Value;
            return true;
        }
        if (Values.IsMap(receiver))
        {
            value = MapField(receiver, name, typed);
            return true;
        }
        if (receiver is ITemplateFields fields)
        {
            if (!fields.TryGetField(name, out var v))
            {
                return false;
            }
            value = v is TemplateFunction ? v : Values.Normalize(v);
            return true;
        }
        if (receiver is string text && name == "String")
        {
            value = text;
            return true;
        }
        return false;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> CamelNames = new(StringComparer.Ordinal);

    /// <summary>"Spec" → "spec", remembered: field names come from parsed templates, so the set is small and fixed.</summary>
    private static string CamelCase(string name) =>
        CamelNames.TryGetValue(name, out var camel)
            ? camel
            : CamelNames.GetOrAdd(name, static n => string.Concat(char.ToLowerInvariant(n[0]).ToString(), n.AsSpan(1)));

    /// <summary>Calls a function; <paramref name="args"/> is the command (the function's name first), null for a bare identifier.</summary>
    private object? EvalFunction(object? dot, IdentifierNode id, Node cmd, List<Node>? args, object? final, bool hasFinal)
    {
        _at = id;
        var entry = id.Function;
        if (entry.IsBuiltin && entry.Name is "and" or "or")
        {
            return EvalAndOr(dot, entry.Name == "or", cmd, args, final, hasFinal);
        }
        var given = args is null ? 0 : args.Count - 1;
        var count = given + (hasFinal ? 1 : 0);
        var argv = count == 0 ? [] : new object?[count];
        for (var i = 0; i < given; i++)
        {
            var v = EvalArg(dot, args![i + 1]);
            argv[i] = entry.IsBuiltin ? v : Values.ForFunction(v);
        }
        if (hasFinal)
        {
            argv[^1] = entry.IsBuiltin ? final : Values.ForFunction(final);
        }
        _at = cmd;
        if (_reads is null)
        {
            return Call(entry.Name, entry.Fn, argv);
        }
        _reads.Call(entry, argv);
        var result = Call(entry.Name, entry.Fn, argv);
        _reads.Called(entry, argv, result);
        return result;
    }

    private object? Call(string name, TemplateFunction fn, IReadOnlyList<object?> argv)
    {
        object? result;
        try
        {
            result = fn(argv);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Error($"error calling {name}: {e.Message}", e);
        }
        return Values.Normalize(result);
    }

    private object? EvalAndOr(object? dot, bool isOr, Node cmd, List<Node>? args, object? final, bool hasFinal)
    {
        var count = args?.Count ?? 1;
        if (count < 2 && !hasFinal)
        {
            _at = cmd;
            throw Error($"wrong number of args for {(isOr ? "or" : "and")}: want at least 1 got 0");
        }
        object? v = null;
        for (var i = 1; i < count; i++)
        {
            v = EvalArg(dot, args![i]);
            _reads?.Truth(v);
            if (Truth.IsTrue(v) == isOr)
            {
                return v;
            }
        }
        return hasFinal ? final : v;
    }

    private object? EvalArg(object? dot, Node n)
    {
        _at = n;
        switch (n)
        {
            case DotNode:
                return dot;
            case NilNode:
                return null;
            case FieldNode f:
                return EvalFieldChain(dot, dot, f, f.Ident, 0, null, null, false);
            case VariableNode v:
                return EvalVariableNode(dot, v, null, null, false);
            case PipeNode p:
                return EvalPipeline(dot, p);
            case IdentifierNode id:
                return EvalFunction(dot, id, id, null, null, false);
            case ChainNode c:
                return EvalChainNode(dot, c, null, null, false);
            case BoolNode b:
                return Values.Bool(b.Value);
            case NumberNode num:
                return num.Value;
            case StringNode s:
                return s.Text;
        }
        throw Error($"can't handle {n} for arg");
    }
}
