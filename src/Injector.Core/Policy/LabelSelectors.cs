using System.Text.Json.Nodes;

namespace Injector.Core.Policy;

/// <summary>metav1.LabelSelector matching (matchLabels and matchExpressions). An empty selector matches nothing here, as Istio skips it.</summary>
public static class LabelSelectors
{
    public static bool Matches(JsonObject selector, JsonObject? labels, ICollection<string> warnings)
    {
        var matchLabels = selector["matchLabels"] as JsonObject;
        var expressions = selector["matchExpressions"] as JsonArray;
        if ((matchLabels is null || matchLabels.Count == 0) && (expressions is null || expressions.Count == 0))
        {
            return false;
        }

        foreach (var (key, value) in matchLabels ?? [])
        {
            if (labels?[key]?.ToString() != value?.ToString())
            {
                return false;
            }
        }

        foreach (var expression in expressions ?? [])
        {
            var key = expression?["key"]?.ToString();
            var op = expression?["operator"]?.ToString();
            var values = (expression?["values"] as JsonArray)?.Select(v => v?.ToString()).ToList() ?? [];
            var has = key is not null && labels?.ContainsKey(key) == true;
            var actual = has ? labels![key!]?.ToString() : null;
            bool ok;
            switch (op)
            {
                case "In":
                    ok = has && values.Contains(actual);
                    break;
                case "NotIn":
                    ok = !has || !values.Contains(actual);
                    break;
                case "Exists":
                    ok = has;
                    break;
                case "DoesNotExist":
                    ok = !has;
                    break;
                default:
                    // Istio logs a selector that fails to parse and ignores it.
                    warnings.Add($"ignoring label selector with unknown operator '{op}'");
                    return false;
            }

            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
