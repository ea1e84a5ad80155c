using Injector.Fuzz.Cases;

namespace Injector.Fuzz.Mutations;

/// <summary>Tree mutations change the review and may be combined; final ones (bytes, HTTP, size) end the draft.</summary>
internal enum MutationStage
{
    Tree,
    Final,
}

/// <summary>What a mutation did: a name for grouping (its family or variant) and a short detail for the report.</summary>
internal sealed record Applied(string Name, string Detail);

/// <summary>
/// One kind of damage. <see cref="Apply"/> changes the draft and says what it did, or returns null when it does not
/// fit this draft (no containers to break, a filler already placed), and the generator picks another.
/// </summary>
internal sealed record Mutation(string Family, int Weight, MutationStage Stage, Func<CaseDraft, Random, Applied?> Apply);
