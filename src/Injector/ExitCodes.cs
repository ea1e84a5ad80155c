namespace Injector;

/// <summary>Named exit codes of the <c>injector</c> command, documented in <c>--help</c> and the README.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>A pod was denied (invalid annotation, failed template, a limit …) or could not be injected: the named reason and message are on stderr.</summary>
    public const int Denied = 1;

    /// <summary>Usage: a flag, the configuration, or an input with nothing to inject.</summary>
    public const int BadConfig = 2;

    /// <summary>An input or output file could not be read or written, or the server could not listen.</summary>
    public const int IoError = 3;

    public const string Help = "Exit codes: 0 done; 1 a pod was denied or could not be injected (reason on stderr); 2 usage or configuration error; 3 input/output error.";
}
