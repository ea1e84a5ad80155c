using System.Text.Json;
using System.Text.Json.Nodes;

namespace Injector.Fuzz.Mutations;

/// <summary>Replacement values of every JSON type, for retyping.</summary>
internal static class Values
{
    private static readonly Func<JsonNode?>[] Strings = [() => "fuzz", () => "", () => "0", () => "true", () => "null", () => "{}", () => " "];
    private static readonly Func<JsonNode?>[] Numbers = [() => 0, () => -1, () => 42, () => 2147483648L, () => 1.5, () => 1e308, () => -9223372036854775808L];
    private static readonly Func<JsonNode?>[] Bools = [() => true, () => false];
    private static readonly Func<JsonNode?>[] Objects = [() => new JsonObject(), () => new JsonObject { ["a"] = 1 }, () => new JsonObject { ["name"] = "x", ["value"] = new JsonArray() }];
    private static readonly Func<JsonNode?>[] Arrays = [() => new JsonArray(), () => new JsonArray(1, "a", null), () => new JsonArray(new JsonObject())];

    /// <summary>A value whose JSON type differs from <paramref name="current"/>'s.</summary>
    public static JsonNode? OtherType(JsonNode? current, Random rng)
    {
        var kind = current?.GetValueKind() ?? JsonValueKind.Null;
        var groups = new List<Func<JsonNode?>[]>();
        if (kind != JsonValueKind.String)
        {
            groups.Add(Strings);
        }

        if (kind != JsonValueKind.Number)
        {
            groups.Add(Numbers);
        }

        if (kind is not (JsonValueKind.True or JsonValueKind.False))
        {
            groups.Add(Bools);
        }

        if (kind != JsonValueKind.Object)
        {
            groups.Add(Objects);
        }

        if (kind != JsonValueKind.Array)
        {
            groups.Add(Arrays);
        }

        var group = rng.Pick(groups);
        return kind == JsonValueKind.Null || rng.Chance(0.85) ? rng.Pick(group)() : null;
    }

    /// <summary>How a value is named in a report: its JSON text (strings quoted, control characters escaped), cut short.</summary>
    public static string Describe(JsonNode? value)
    {
        var text = value?.ToJsonString(Cases.AdmissionReviews.TextOptions) ?? "null";
        return text.Length > 90 ? text[..90] + "…" : text;
    }
}
