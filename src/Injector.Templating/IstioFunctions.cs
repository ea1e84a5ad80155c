namespace Injector.Templating;

/// <summary>
/// The generic helpers Istio's injector adds on top of sprig (istio/istio pkg/kube/inject/template.go).
/// Kubernetes-specific helpers (annotation, applicationPorts, toYaml, …) are registered by the Core project.
/// </summary>
internal static class IstioFunctions
{
    public static IEnumerable<KeyValuePair<string, TemplateFunction>> All()
    {
        static KeyValuePair<string, TemplateFunction> F(string name, TemplateFunction fn) => new(name, fn);

        yield return F("toJSON", static a =>
        {
            Conv.Count(a, 1);
            return GoJson.Serialize(a[0]);
        });
        yield return F("fromJSON", static a =>
        {
            Conv.Count(a, 1);
            return a[0] is string s && GoJson.TryParse(s, out var v) ? v : null;
        });
        yield return F("toJsonMap", static a => GoJson.Serialize(MergeMaps(a)));
        yield return F("mergeMaps", static a => MergeMaps(a));
        yield return F("omitNil", static a =>
        {
            Conv.Count(a, 1);
            // The copy in key order, without the nil entries.
            var entries = Values.SortedEntries(Conv.MapArg(a, 0));
            var d = new Dictionary<string, object?>(entries.Count, StringComparer.Ordinal);
            foreach (var kv in entries)
            {
                if (kv.Value is not null)
                {
                    d[kv.Key] = kv.Value;
                }
            }
            return d;
        });
        yield return F("strdict", static a =>
        {
            var d = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < a.Count; i += 2)
            {
                d[Conv.Str(a, i)] = i + 1 < a.Count ? Conv.Str(a, i + 1) : "";
            }
            return d;
        });
        yield return F("omit", static a =>
        {
            Conv.AtLeast(a, 1);
            var d = Conv.CopyMap(Conv.MapArg(a, 0));
            for (var i = 1; i < a.Count; i++)
            {
                d.Remove(Conv.Str(a, i));
            }
            return d;
        });
        yield return F("isset", static a =>
        {
            Conv.Count(a, 2);
            return Values.Bool(a[0] is not null && Values.TryLookup(Conv.MapArg(a, 0), Conv.Str(a, 1), out var v) && v is not null);
        });
        yield return F("valueOrDefault", static a =>
        {
            Conv.Count(a, 2);
            return Truth.IsTrue(a[0]) ? a[0] : a[1];
        });
        yield return F("directory", static a =>
        {
            Conv.Count(a, 1);
            return PathDir(Conv.Str(a, 0));
        });
        yield return F("toLower", static a =>
        {
            Conv.Count(a, 1);
            return Conv.Str(a, 0).ToLowerInvariant();
        });
        // Istio's flippedContains(needle, haystack): same argument order as sprig's contains.
        yield return F("contains", static a =>
        {
            Conv.Count(a, 2);
            return Values.Bool(Conv.Str(a, 1).Contains(Conv.Str(a, 0), StringComparison.Ordinal));
        });
        yield return F("formatDuration", static a =>
        {
            Conv.Count(a, 1);
            return GoDuration.Format(ToNanos(a[0]));
        });
    }

    /// <summary>Later maps win; nil arguments are skipped.</summary>
    private static Dictionary<string, object?> MergeMaps(IReadOnlyList<object?> a)
    {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (var i = 0; i < a.Count; i++)
        {
            if (a[i] is null)
            {
                continue;
            }
            foreach (var kv in Values.SortedEntries(Conv.MapArg(a, i)))
            {
                d[kv.Key] = kv.Value;
            }
        }
        return d;
    }

    /// <summary>A duration as a Go duration string ("1m30s"), a number of seconds, or a protobuf Duration map.</summary>
    private static long ToNanos(object? v)
    {
        switch (v)
        {
            case string s:
                return GoDuration.Parse(s.Trim());
            case long l:
                return checked(l * 1_000_000_000);
            case double d:
                return (long)Math.Round(d * 1e9);
            case null:
                return 0;
        }
        if (Values.IsMap(v))
        {
            var secs = Values.TryLookup(v!, "seconds", out var sv) ? Conv.ToInt64(sv) : 0;
            var nanos = Values.TryLookup(v!, "nanos", out var nv) ? Conv.ToInt64(nv) : 0;
            return (secs * 1_000_000_000) + nanos;
        }
        throw new InvalidOperationException($"cannot format {Values.GoTypeName(v)} as a duration");
    }

    /// <summary>Go's path.Dir: everything but the last element, cleaned.</summary>
    public static string PathDir(string p)
    {
        var i = p.LastIndexOf('/');
        return PathClean(p[..(i + 1)]);
    }

    /// <summary>Go's path.Clean.</summary>
    public static string PathClean(string p)
    {
        if (p.Length == 0)
        {
            return ".";
        }
        var rooted = p[0] == '/';
        var parts = new List<string>();
        foreach (var part in p.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (parts.Count > 0 && parts[^1] != "..")
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                else if (!rooted)
                {
                    parts.Add("..");
                }
                continue;
            }
            parts.Add(part);
        }
        var joined = string.Join("/", parts);
        return rooted ? "/" + joined : joined.Length == 0 ? "." : joined;
    }

}
