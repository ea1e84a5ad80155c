namespace Injector;

/// <summary>Named exit codes of the <c>injector</c> command.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>A pod was denied (invalid annotation, failed template …): the message is on stderr.</summary>
    public const int Denied = 1;

    /// <summary>The configuration or a flag is invalid.</summary>
    public const int BadConfig = 2;

    /// <summary>An input or output file could not be read or written.</summary>
    public const int IoError = 3;
}
