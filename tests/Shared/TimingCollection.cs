namespace Injector.Testing;

/// <summary>
/// Tests that assert elapsed time run alone, after the parallel ones: on two cores a property test running beside them
/// would otherwise double their times.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "timing";
}
