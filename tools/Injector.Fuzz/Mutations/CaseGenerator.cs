using Injector.Fuzz.Cases;
using Injector.Fuzz.Seeds;

namespace Injector.Fuzz.Mutations;

/// <summary>
/// Turns a case number into a request. Case N depends only on the run's seed and the calibrated seed list, so any
/// finding can be replayed alone (<c>--only N</c>). About one case in ten is a normal, unmutated review; one in
/// twenty-five a re-injection check; the rest carry one or two mutations.
/// </summary>
internal sealed class CaseGenerator
{
    private const double SecondMutation = 0.35;
    private readonly IReadOnlyList<Seed> _all;
    private readonly IReadOnlyList<Seed> _injectable;
    private readonly HashSet<string> _injectableNames;
    private readonly int _runSeed;
    private readonly IReadOnlyList<Mutation> _mutations;
    private readonly int _totalWeight;

    public CaseGenerator(IReadOnlyList<Seed> all, IReadOnlyList<Seed> injectable, int runSeed, IReadOnlySet<string>? families = null)
    {
        _all = all;
        _injectable = injectable.Count > 0 ? injectable : all;
        _injectableNames = [.. injectable.Select(s => s.Name)];
        _runSeed = runSeed;
        _mutations = [.. Catalog().Where(m => families is null || families.Contains(m.Family))];
        if (_mutations.Count == 0)
        {
            throw new SetupException($"--mutations: no mutation family among {string.Join(", ", Catalog().Select(m => m.Family).Distinct())}");
        }

        _totalWeight = _mutations.Sum(m => m.Weight);
    }

    public static IEnumerable<Mutation> Catalog() =>
        StructuralMutations.All()
            .Concat(ReviewMutations.All())
            .Concat(AnnotationAttacks.All())
            .Concat(SizeMutations.All())
            .Concat(ByteMutations.All())
            .Concat(HttpMutations.All());

    /// <summary>The unmutated review of a seed (calibration, and the normal requests).</summary>
    public FuzzCase Plain(int index, Seed seed, bool expectInjected)
    {
        var draft = new CaseDraft(index, seed, _injectableNames.Contains(seed.Name), Rng(index)) { ExpectInjected = expectInjected };
        return draft.Build();
    }

    public FuzzCase Create(int index)
    {
        var rng = Rng(index);
        if (index % 10 == 0)
        {
            var seed = rng.Pick(_injectable);
            var injectable = _injectableNames.Contains(seed.Name);
            return new CaseDraft(index, seed, injectable, rng) { ExpectInjected = injectable }.Build();
        }

        if (index % 25 == 7)
        {
            return Reinjection(index, rng);
        }

        var pick = rng.Chance(0.75) ? rng.Pick(_injectable) : rng.Pick(_all);
        var draft = new CaseDraft(index, pick, _injectableNames.Contains(pick.Name), rng);
        Mutate(draft, rng, _mutations);
        if (!draft.Finalized && rng.Chance(SecondMutation))
        {
            Mutate(draft, rng, _mutations);
        }

        return draft.Build();
    }

    /// <summary>An injectable seed, sometimes with one tree mutation, whose injected result is sent again.</summary>
    private FuzzCase Reinjection(int index, Random rng)
    {
        var seed = rng.Pick(_injectable);
        var draft = new CaseDraft(index, seed, _injectableNames.Contains(seed.Name), rng) { Reinjection = true };
        var tree = _mutations.Where(m => m.Stage == MutationStage.Tree).ToList();
        if (tree.Count > 0 && rng.Chance(0.5))
        {
            Mutate(draft, rng, tree);
        }

        draft.Names.Insert(0, "reinjection");
        draft.Details.Insert(0, "inject, apply the patch, send the patched pod again");
        return draft.Build();
    }

    private void Mutate(CaseDraft draft, Random rng, IReadOnlyList<Mutation> mutations)
    {
        var total = ReferenceEquals(mutations, _mutations) ? _totalWeight : mutations.Sum(m => m.Weight);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var mutation = Weighted(mutations, total, rng);
            if (mutation.Apply(draft, rng) is { } applied)
            {
                draft.Names.Add(applied.Name);
                draft.Details.Add(applied.Detail);
                if (mutation.Stage == MutationStage.Final)
                {
                    draft.Finalized = true;
                }

                return;
            }
        }
    }

    private static Mutation Weighted(IReadOnlyList<Mutation> mutations, int total, Random rng)
    {
        var ticket = rng.Next(total);
        foreach (var mutation in mutations)
        {
            ticket -= mutation.Weight;
            if (ticket < 0)
            {
                return mutation;
            }
        }

        return mutations[^1];
    }

    /// <summary>The RNG of one case: a fixed function of the run's seed and the case number.</summary>
    private Random Rng(int index) => new(unchecked((_runSeed * 1_000_003) + (index * 7919)));
}
