using System.Globalization;
using System.Text.Json.Nodes;

namespace Injector.Core.Config;

/// <summary>
/// One <c>--set PATH=VALUE</c> with an Istio setting path, as <c>istioctl install --set</c> takes it:
/// <c>values.…</c> (the values tree), <c>meshConfig.…</c> (the mesh config), <c>components.cni.enabled</c>.
/// </summary>
public sealed record SetFlag(string Root, IReadOnlyList<string> Path, JsonNode? Value, string Text)
{
    public static SetFlag Parse(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new ConfigException($"--set {text}: want PATH=VALUE");
        }

        var path = text[..eq].Split('.');
        if (path.Any(p => p.Length == 0))
        {
            throw new ConfigException($"--set {text}: empty segment in path '{text[..eq]}'");
        }

        var raw = text[(eq + 1)..];
        (string root, string[] rest) = path switch
        {
            ["values", .. var r] when r.Length > 0 => ("values", r),
            ["meshConfig", .. var r] when r.Length > 0 => ("meshConfig", r),
            ["components", "cni", "enabled"] => ("values", new[] { "pilot", "cni", "enabled" }),
            _ => throw new ConfigException($"--set {text}: unknown setting path '{text[..eq]}' (want values.…, meshConfig.… or components.cni.enabled)"),
        };

        // The istio-cni chart's values (values.cni.*) reach the injector as pilot.cni.*, as Istio's chart wires them.
        if (root == "values" && rest[0] == "cni")
        {
            rest = ["pilot", .. rest];
        }

        return new SetFlag(root, rest, ParseScalar(raw), text);
    }

    public void ApplyTo(JsonObject values, JsonObject mesh)
    {
        var (parent, key) = JsonMerge.Walk(Root == "values" ? values : mesh, Path, $"--set {Text}");
        parent[key] = Value?.DeepClone();
    }

    private static JsonNode? ParseScalar(string raw)
    {
        if (raw is "true" or "false")
        {
            return JsonValue.Create(raw == "true");
        }

        if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }

        return raw == "null" ? null : JsonValue.Create(raw);
    }
}
