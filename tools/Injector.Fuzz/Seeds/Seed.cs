using System.Text.Json.Nodes;

namespace Injector.Fuzz.Seeds;

/// <summary>One seed pod: where it came from and the pod itself (cloned for every request, never changed).</summary>
internal sealed record Seed(string Name, JsonObject Pod, bool Synthetic);
