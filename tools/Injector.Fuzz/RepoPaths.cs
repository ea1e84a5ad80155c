namespace Injector.Fuzz;

/// <summary>Where the built server and the Istio corpus are when no option names them.</summary>
internal static class RepoPaths
{
    /// <summary>The repository root: the first folder up from here (or from the fuzzer's binary) holding Injector.sln.</summary>
    public static string RepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Injector.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        // Not inside a checkout: paths are taken from the working directory.
        return Directory.GetCurrentDirectory();
    }

    public static string DefaultServerDir() => Path.Combine(RepoRoot(), "src", "Injector", "bin", "Release", "net10.0");

    /// <summary>The corpus's <c>testdata/inject</c> folder: the option, then INJECTOR_ISTIO_CORPUS, then the usual places.</summary>
    public static string InjectTestdata(string? corpusRoot)
    {
        var candidates = new List<string>();
        if (!string.IsNullOrEmpty(corpusRoot))
        {
            return Path.Combine(corpusRoot, "testdata", "inject");
        }

        if (Environment.GetEnvironmentVariable("INJECTOR_ISTIO_CORPUS") is { Length: > 0 } fromEnv)
        {
            candidates.Add(fromEnv);
        }

        candidates.Add(Path.Combine(RepoRoot(), "..", "shared", "istio-corpus"));
        var found = candidates.Select(c => Path.GetFullPath(Path.Combine(c, "testdata", "inject"))).FirstOrDefault(Directory.Exists);
        return found ?? Path.GetFullPath(Path.Combine(candidates[0], "testdata", "inject"));
    }
}
