namespace Injector.Documents.Tests;

/// <summary>Locates Istio's golden injection files (read-only, never copied into the repository).</summary>
internal static class IstioCorpus
{
    public static string? InjectDirectory { get; } = Find();

    public static string SkipReason =>
        "Istio corpus not found: set INJECTOR_ISTIO_CORPUS or place it at ../shared/istio-corpus next to the repository.";

    /// <summary>Every golden file's documents, split on "---" lines exactly as the Go tooling joins them.</summary>
    public static IEnumerable<(string File, int Index, string Text)> GoldenDocuments()
    {
        if (InjectDirectory is null)
        {
            yield break;
        }

        foreach (var file in Directory.GetFiles(InjectDirectory, "*.injected").Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file);
            var index = 0;
            foreach (var doc in SplitDocuments(text))
            {
                yield return (Path.GetFileName(file), index++, doc);
            }
        }
    }

    public static IEnumerable<string> SplitDocuments(string text)
    {
        var current = new System.Text.StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            if (line == "---")
            {
                if (current.Length > 0)
                {
                    yield return current.ToString();
                }

                current.Clear();
                continue;
            }

            current.Append(line).Append('\n');
        }

        // Split leaves one empty trailing entry for the final newline.
        var rest = current.ToString();
        if (rest.EndsWith("\n\n", StringComparison.Ordinal) || rest == "\n")
        {
            rest = rest[..^1];
        }

        if (rest.Trim().Length > 0)
        {
            yield return rest;
        }
    }

    private static string? Find()
    {
        var fromEnv = Environment.GetEnvironmentVariable("INJECTOR_ISTIO_CORPUS");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return Inject(fromEnv);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Injector.sln")))
            {
                return Inject(Path.Combine(dir.FullName, "..", "shared", "istio-corpus"));
            }
        }

        return null;
    }

    private static string? Inject(string root)
    {
        var dir = Path.Combine(root, "testdata", "inject");
        return Directory.Exists(dir) ? Path.GetFullPath(dir) : null;
    }
}
