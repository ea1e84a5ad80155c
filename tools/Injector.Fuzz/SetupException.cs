namespace Injector.Fuzz;

/// <summary>The fuzzer could not set itself up (no server binary, no corpus, a server that never got ready): exit code 2.</summary>
internal sealed class SetupException : Exception
{
    public SetupException()
    {
    }

    public SetupException(string message)
        : base(message)
    {
    }

    public SetupException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
