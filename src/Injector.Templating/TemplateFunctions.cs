namespace Injector.Templating;

/// <summary>
/// A registry entry. Builtin entries receive Go's "missing value" unchanged; others get nil for it. <see cref="Reads"/>
/// and <see cref="Summary"/> say what the function depends on, for <see cref="RenderMemo{T}"/>.
/// </summary>
internal sealed record FunctionEntry(string Name, TemplateFunction Fn, bool IsBuiltin, TemplateFunctionReads Reads = TemplateFunctionReads.Arguments, TemplateReadSummary? Summary = null);

/// <summary>
/// An immutable function registry: <c>With</c> returns a new registry and never changes the
/// receiver, so one registry can be shared by many parses and threads. Go's builtins (and, or, eq,
/// printf, …) are always present; a registered function of the same name overrides a builtin, as
/// template.Funcs does in Go.
/// </summary>
public sealed class TemplateFunctions
{
    private static readonly TemplateFunctions BuiltinsOnly = new(Builtins.Create());
    private static readonly Lazy<TemplateFunctions> DefaultRegistry = new(CreateDefaultCore);

    private readonly Dictionary<string, FunctionEntry> _functions;

    private TemplateFunctions(Dictionary<string, FunctionEntry> functions) => _functions = functions;

    /// <summary>Only Go's builtin functions.</summary>
    public static TemplateFunctions Empty => BuiltinsOnly;

    /// <summary>Go builtins plus sprig and the generic Istio injector helpers.</summary>
    public static TemplateFunctions CreateDefault() => DefaultRegistry.Value;

    private static TemplateFunctions CreateDefaultCore()
    {
        var map = new Dictionary<string, FunctionEntry>(BuiltinsOnly._functions, StringComparer.Ordinal);
        foreach (var (name, fn) in SprigFunctions.All())
        {
            map[name] = new FunctionEntry(name, fn, false, FunctionReads.Of(name), FunctionReads.Summary(name));
        }
        foreach (var (name, fn) in IstioFunctions.All())
        {
            map[name] = new FunctionEntry(name, fn, false, FunctionReads.Of(name), FunctionReads.Summary(name));
        }
        return new TemplateFunctions(map);
    }

    /// <summary>
    /// Returns a new registry with <paramref name="name"/> added or replaced; this registry is unchanged. The function
    /// is taken to depend on its arguments alone (a memo compares them whole); declare anything else with
    /// <see cref="With(string, TemplateFunction, TemplateFunctionReads)"/>.
    /// </summary>
    public TemplateFunctions With(string name, TemplateFunction fn) => With(name, fn, TemplateFunctionReads.Arguments);

    /// <summary>Returns a new registry with <paramref name="name"/> added or replaced, with what its result depends on.</summary>
    public TemplateFunctions With(string name, TemplateFunction fn, TemplateFunctionReads reads) => With(new FunctionEntry(name, fn, false, reads));

    /// <summary>
    /// Returns a new registry with <paramref name="name"/> added or replaced; <paramref name="summary"/> records what
    /// it reads of the data it is given (it must record every read the result depends on).
    /// </summary>
    public TemplateFunctions With(string name, TemplateFunction fn, TemplateReadSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return With(new FunctionEntry(name, fn, false, TemplateFunctionReads.Arguments, summary));
    }

    private TemplateFunctions With(FunctionEntry entry)
    {
        ArgumentException.ThrowIfNullOrEmpty(entry.Name);
        ArgumentNullException.ThrowIfNull(entry.Fn);
        var map = new Dictionary<string, FunctionEntry>(_functions, StringComparer.Ordinal)
        {
            [entry.Name] = entry,
        };
        return new TemplateFunctions(map);
    }

    /// <summary>Returns a new registry with all the given functions added or replaced.</summary>
    public TemplateFunctions With(IEnumerable<KeyValuePair<string, TemplateFunction>> functions)
    {
        ArgumentNullException.ThrowIfNull(functions);
        var map = new Dictionary<string, FunctionEntry>(_functions, StringComparer.Ordinal);
        foreach (var (name, fn) in functions)
        {
            map[name] = new FunctionEntry(name, fn, false);
        }
        return new TemplateFunctions(map);
    }

    public bool Contains(string name) => _functions.ContainsKey(name);

    /// <summary>
    /// The function registered under <paramref name="name"/>, for callers that wrap it (a registry built with
    /// <see cref="With(string, TemplateFunction)"/> may extend a default function instead of rendering a template to reach it).
    /// </summary>
    public TemplateFunction Get(string name) =>
        _functions.TryGetValue(name, out var entry) ? entry.Fn : throw new KeyNotFoundException($"function \"{name}\" not defined");

    /// <summary>Names of all registered functions, sorted.</summary>
    public IReadOnlyList<string> Names => [.. _functions.Keys.Order(StringComparer.Ordinal)];

    internal bool TryGet(string name, out FunctionEntry entry) => _functions.TryGetValue(name, out entry!);
}
