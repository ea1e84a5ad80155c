namespace Injector.Templating;

/// <summary>
/// A parsed Go text/template. Parse once, then <see cref="Execute(object?)"/> any number of times
/// from any number of threads: the parsed trees are never mutated and every execution has its
/// own state.
/// </summary>
/// <remarks>
/// Data model: null, bool, string, integers (normalised to long), floating point (double),
/// System.Text.Json nodes (a JsonValue is unwrapped; integral JSON numbers behave as integers),
/// string-keyed dictionaries, lists/arrays/enumerables and <see cref="ITemplateFields"/>.
/// Functions receive values in that normalised form (long, double, string, bool, null, maps, lists).
/// </remarks>
public sealed class GoTemplate
{
    private GoTemplate(string name, string text, Dictionary<string, ListNode> trees)
    {
        Name = name;
        Text = text;
        Trees = trees;
    }

    /// <summary>The name given to <see cref="Parse"/>; it appears in error messages.</summary>
    public string Name { get; }

    internal string Text { get; }

    internal Dictionary<string, ListNode> Trees { get; }

    /// <summary>Names of all templates in this set (the main one plus every define/block), sorted.</summary>
    public IReadOnlyList<string> TemplateNames => [.. Trees.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Parses a template; unknown functions and syntax errors throw <see cref="TemplateParseException"/>.</summary>
    public static GoTemplate Parse(string name, string text, TemplateFunctions functions)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(functions);
        return new GoTemplate(name, text, Parser.Parse(name, text, functions));
    }

    /// <summary>Renders the main template to a string.</summary>
    public string Execute(object? data) => ExecuteTemplate(Name, data);

    /// <summary>
    /// Renders the main template to a string, checking <paramref name="cancellation"/> at every loop iteration and
    /// template call (an <see cref="OperationCanceledException"/> when it fires). The output is capped at 16 Mi characters.
    /// </summary>
    public string Execute(object? data, CancellationToken cancellation) => ExecuteTemplate(Name, data, cancellation);

    /// <summary>Renders the main template; on error, output written so far stays in <paramref name="output"/> (as in Go).</summary>
    public void Execute(TextWriter output, object? data) => ExecuteTemplate(output, Name, data);

    /// <summary>Renders the named template of this set (Go's ExecuteTemplate).</summary>
    public void ExecuteTemplate(TextWriter output, string templateName, object? data)
    {
        ArgumentNullException.ThrowIfNull(output);
        new Executor(output, new List<KeyValuePair<string, object?>>(16)).Run(this, templateName, Root(templateName), data);
    }

    /// <summary>Renders the named template of this set to a string.</summary>
    public string ExecuteTemplate(string templateName, object? data) => ExecuteTemplate(templateName, data, CancellationToken.None);

    /// <summary>Renders the named template of this set to a string, stopping when <paramref name="cancellation"/> fires.</summary>
    public string ExecuteTemplate(string templateName, object? data, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(templateName);
        var root = Root(templateName);
        // A per-thread writer: no builder or writer is allocated per render, only the resulting string.
        var writer = RenderWriter.Rent();
        try
        {
            writer.Executor.Run(this, templateName, root, data, cancellation);
            return writer.Text();
        }
        finally
        {
            RenderWriter.Return(writer);
        }
    }

    /// <summary>
    /// Renders the main template and hands the text to <paramref name="use"/> as a span that is valid only during the
    /// call: a caller that keeps outputs by their text finds a kept one without the text being made a string.
    /// </summary>
    public T Execute<T>(object? data, CancellationToken cancellation, RenderedText<T> use) => Execute(data, cancellation, use, null);

    /// <summary>
    /// As <see cref="Execute{T}(object?, CancellationToken, RenderedText{T})"/>, recording what the render reads of
    /// <paramref name="data"/> into <paramref name="reads"/> (for <see cref="RenderMemo{T}"/>) when it is given.
    /// </summary>
    public T Execute<T>(object? data, CancellationToken cancellation, RenderedText<T> use, TemplateReads? reads)
    {
        ArgumentNullException.ThrowIfNull(use);
        var root = Root(Name);
        var writer = RenderWriter.Rent();
        try
        {
            writer.Executor.Run(this, Name, root, data, cancellation, reads);
            return use(writer.Span());
        }
        finally
        {
            RenderWriter.Return(writer);
        }
    }

    private ListNode Root(string templateName) => Trees.TryGetValue(templateName, out var root)
        ? root
        : throw new TemplateExecutionException($"template: no template {GoFormat.Quote(templateName)} associated with template {GoFormat.Quote(Name)}");
}

/// <summary>Receives a render's text, valid only during the call (see <see cref="GoTemplate.Execute{T}(object?, CancellationToken, RenderedText{T})"/>).</summary>
public delegate T RenderedText<out T>(ReadOnlySpan<char> text);
