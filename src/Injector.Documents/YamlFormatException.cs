namespace Injector.Documents;

/// <summary>Thrown when YAML text cannot be read; the message carries the 1-based line and column.</summary>
public sealed class YamlFormatException : Exception
{
    public YamlFormatException()
    {
    }

    public YamlFormatException(string message)
        : base(message)
    {
    }

    public YamlFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public YamlFormatException(string message, long line, long column, Exception? innerException = null)
        : base($"YAML error at line {line}, column {column}: {message}", innerException)
    {
        Line = line;
        Column = column;
    }

    /// <summary>1-based line of the error, 0 when unknown.</summary>
    public long Line { get; }

    /// <summary>1-based column of the error, 0 when unknown.</summary>
    public long Column { get; }
}
