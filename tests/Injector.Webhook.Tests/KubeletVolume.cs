namespace Injector.Webhook.Tests;

/// <summary>
/// A directory laid out the way the kubelet projects a ConfigMap or Secret volume: each key a symlink into <c>..data</c>,
/// which points at a timestamped folder; an update writes a new folder and swaps <c>..data</c> atomically.
/// </summary>
internal sealed class KubeletVolume : IDisposable
{
    private int _generation;

    public string Root { get; } = Directory.CreateTempSubdirectory("injector-configmap-").FullName;

    /// <summary>Publishes a new set of keys the way the kubelet does: write a new folder, then rename a fresh <c>..data</c> link over the old one.</summary>
    public void Publish(IReadOnlyDictionary<string, string> files)
    {
        var generation = Interlocked.Increment(ref _generation);
        var dirName = $"..{DateTime.UtcNow:yyyy_MM_dd_HH_mm_ss}.{generation}";
        Directory.CreateDirectory(Path.Combine(Root, dirName));
        foreach (var (name, text) in files)
        {
            File.WriteAllText(Path.Combine(Root, dirName, name), text);
        }

        var temp = Path.Combine(Root, "..data_tmp");
        File.Delete(temp);
        File.CreateSymbolicLink(temp, dirName);
        Rename(temp, Path.Combine(Root, "..data"));

        foreach (var name in files.Keys)
        {
            var link = Path.Combine(Root, name);
            if (!File.Exists(link))
            {
                File.CreateSymbolicLink(link, Path.Combine("..data", name));
            }
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>rename(2) of the new link over <c>..data</c> (a link to a directory, which File.Move will not take): atomic for readers.</summary>
    private static void Rename(string from, string to)
    {
        using var mv = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("mv", ["-T", "-f", from, to]) { UseShellExecute = false })!;
        mv.WaitForExit(10_000);
        if (mv.ExitCode != 0)
        {
            throw new IOException($"mv -T {from} {to} failed with {mv.ExitCode}");
        }
    }
}
