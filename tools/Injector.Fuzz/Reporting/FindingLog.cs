using Injector.Fuzz.Cases;

namespace Injector.Fuzz.Reporting;

/// <summary>One example of a finding: which case, which mutation, which seed, what was seen.</summary>
internal sealed record FindingExample(int CaseIndex, string Mutation, string Seed, string Case, string Description, long RequestBytes);

/// <summary>All findings of one kind: how many, and the first few examples.</summary>
internal sealed class FindingKind(string name)
{
    public const int MaxExamples = 5;

    public string Name { get; } = name;

    public int Count { get; set; }

    /// <summary>Up to <see cref="MaxExamples"/>: first one per distinct mutation, then repeats to fill.</summary>
    public List<FindingExample> Examples => [.. Distinct.Concat(Repeats).Take(MaxExamples)];

    public List<FindingExample> Distinct { get; } = [];

    public List<FindingExample> Repeats { get; } = [];

    /// <summary>How many of this kind each mutation (family or variant) produced.</summary>
    public Dictionary<string, int> ByMutation { get; } = new(StringComparer.Ordinal);
}

/// <summary>Findings by kind, safe to add to from every worker; the first of each kind is printed as it happens.</summary>
internal sealed class FindingLog
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FindingKind> _kinds = new(StringComparer.Ordinal);

    public int Total
    {
        get
        {
            lock (_gate)
            {
                return _kinds.Values.Sum(k => k.Count);
            }
        }
    }

    public void Add(string kind, string description, FuzzCase? fuzzCase)
    {
        var example = new FindingExample(
            fuzzCase?.Index ?? -1,
            fuzzCase?.Mutation ?? "-",
            fuzzCase?.Seed ?? "-",
            fuzzCase?.Description ?? "-",
            description,
            fuzzCase?.Body.Length ?? 0);
        bool first;
        lock (_gate)
        {
            if (!_kinds.TryGetValue(kind, out var entry))
            {
                entry = new FindingKind(kind);
                _kinds[kind] = entry;
            }

            entry.Count++;
            entry.ByMutation[example.Mutation] = entry.ByMutation.GetValueOrDefault(example.Mutation) + 1;
            first = entry.Count == 1;
            if (entry.Distinct.Count < FindingKind.MaxExamples && !entry.Distinct.Any(e => e.Mutation == example.Mutation))
            {
                entry.Distinct.Add(example);
            }
            else if (entry.Repeats.Count < FindingKind.MaxExamples)
            {
                entry.Repeats.Add(example);
            }
        }

        if (first)
        {
            Console.WriteLine($"  new finding {kind}: case {example.CaseIndex} {example.Mutation} [{example.Seed}]: {example.Description}");
        }
    }

    public IReadOnlyList<FindingKind> Kinds()
    {
        lock (_gate)
        {
            return [.. _kinds.Values.OrderByDescending(k => k.Count).ThenBy(k => k.Name, StringComparer.Ordinal)];
        }
    }
}
