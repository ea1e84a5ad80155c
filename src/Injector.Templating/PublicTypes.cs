namespace Injector.Templating;

/// <summary>
/// A template function. Arguments arrive already evaluated and normalised (see <see cref="GoTemplate"/>);
/// when the function is used in a pipeline the piped value is the last argument, as in Go.
/// Throwing reports "error calling NAME: message" with the template position.
/// </summary>
public delegate object? TemplateFunction(IReadOnlyList<object?> args);

/// <summary>
/// Lets callers expose Go-struct-like objects: <c>.Name</c> on such a value calls <see cref="TryGetField"/>.
/// A zero-argument Go method (such as <c>.GetValue</c>) is just a field whose value is computed;
/// returning a <see cref="TemplateFunction"/> makes the field callable with arguments (<c>.Method "a" "b"</c>).
/// </summary>
public interface ITemplateFields
{
    bool TryGetField(string name, out object? value);
}

/// <summary>
/// Implemented by template data whose maps stand for Go structs (Kubernetes objects as JSON): when a Go field name
/// (<c>.Spec.ServiceAccountName</c>) is absent from such a map, Go's typed struct would hold the field's zero value
/// (<c>""</c>, <c>0</c>, <c>false</c>, nil) where a plain map gives no value. The executor asks the root data.
/// </summary>
public interface ITypedMaps
{
    /// <summary>The zero value of the Go field <paramref name="goName"/> when <paramref name="map"/> is a struct that has it.</summary>
    bool TryZeroField(System.Text.Json.Nodes.JsonObject map, string goName, out object? value);
}

/// <summary>Raised by <see cref="GoTemplate.Parse"/>; the message is formatted like Go's parse errors.</summary>
public sealed class TemplateParseException : Exception
{
    public TemplateParseException() { }

    public TemplateParseException(string message) : base(message) { }

    public TemplateParseException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>Raised while rendering; the message is formatted like Go's execution errors.</summary>
public sealed class TemplateExecutionException : Exception
{
    public TemplateExecutionException() { }

    public TemplateExecutionException(string message) : base(message) { }

    public TemplateExecutionException(string message, Exception innerException) : base(message, innerException) { }
}
