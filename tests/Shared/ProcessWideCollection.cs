namespace Injector.Testing;

/// <summary>
/// Tests that assert exact changes of process-wide counts run alone, after the parallel ones: any injection running
/// beside them would count too.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideCollection
{
    public const string Name = "process-wide";
}
