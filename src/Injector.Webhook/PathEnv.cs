using Microsoft.Extensions.Logging;

namespace Injector.Webhook;

/// <summary>
/// Proxy environment overrides carried in the webhook URL path, as Istio's <c>parseInjectEnvs</c>:
/// <c>/inject/cluster/c1/net/n1</c> or the deprecated <c>/inject/:ENV:K1=v1:ENV:K2=v2</c>.
/// </summary>
public static class PathEnv
{
    /// <summary>URL keys with a fixed environment name; any other key is upper-cased.</summary>
    public static readonly IReadOnlyDictionary<string, string> KnownKeys = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["cluster"] = "ISTIO_META_CLUSTER_ID",
        ["net"] = "ISTIO_META_NETWORK",
    };

    private const string LegacyMarker = ":ENV:";
    private const string Slash = "--slash--";

    /// <summary>
    /// Parses the request path (<c>/inject…</c>). A trailing <c>/</c> is ignored; in values <c>--slash--</c> becomes <c>/</c>;
    /// an odd trailing key is dropped (reported through <paramref name="droppedKey"/>). A repeated name keeps its first
    /// position and its last value.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(string? path, Action<string>? droppedKey = null)
    {
        var parts = Split(path ?? "");
        var env = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < parts.Count; i += 2)
        {
            var key = parts[i];
            if (i == parts.Count - 1)
            {
                droppedKey?.Invoke(key);
                break;
            }

            var name = KnownKeys.TryGetValue(key, out var known) ? known : key.ToUpperInvariant();
            var value = parts[i + 1].Replace(Slash, "/", StringComparison.Ordinal);
            var existing = env.FindIndex(e => e.Key == name);
            if (existing >= 0)
            {
                env[existing] = new(name, value);
            }
            else
            {
                env.Add(new(name, value));
            }
        }

        return env;
    }

    /// <summary>Parses and logs a dropped odd key as a warning.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(string? path, ILogger logger) =>
        Parse(path, key => WebhookLog.OddPathEnvKey(logger, LogText.Escape(key), LogText.Escape(path)));

    private static List<string> Split(string path)
    {
        if (path.EndsWith('/'))
        {
            path = path[..^1];
        }

        // "/inject/rest…" → ["", "inject", "rest…"]; anything shorter is plain "/inject".
        var parts = path.Split('/', 3);
        if (parts.Length < 3)
        {
            return [];
        }

        var rest = parts[2];
        if (rest.StartsWith(LegacyMarker, StringComparison.Ordinal))
        {
            var pairs = new List<string>();
            foreach (var entry in rest.Split(LegacyMarker).Skip(1))
            {
                // The name must not be empty; the value may be, but the '=' must be there.
                var pair = entry.Split('=', 2);
                if (pair.Length == 2 && pair[0].Length > 0)
                {
                    pairs.Add(pair[0]);
                    pairs.Add(pair[1]);
                }
            }

            return pairs;
        }

        return [.. rest.Split('/')];
    }
}
