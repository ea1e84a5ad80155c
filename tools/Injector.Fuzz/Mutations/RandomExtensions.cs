namespace Injector.Fuzz.Mutations;

/// <summary>Small helpers over the case's seeded <see cref="Random"/>.</summary>
internal static class RandomExtensions
{
    public static T Pick<T>(this Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    public static bool Chance(this Random rng, double probability) => rng.NextDouble() < probability;
}
