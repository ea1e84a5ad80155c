namespace Injector;

/// <summary>
/// Started with standard input closed (<c>injector inject -f - &lt;&amp;-</c>), the process's first file descriptor is
/// reused by the runtime for a pipe of its own, and reading "stdin" would wait forever. On Linux that pipe is told
/// apart from a real one by its write end: this process holds it.
/// </summary>
internal static class ClosedStdin
{
    public static bool Detect()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            var stdin = new FileInfo("/proc/self/fd/0").LinkTarget;
            if (stdin is null || !stdin.StartsWith("pipe:", StringComparison.Ordinal))
            {
                return false;
            }

            foreach (var fd in Directory.GetFiles("/proc/self/fd"))
            {
                var name = Path.GetFileName(fd);
                if (name == "0" || new FileInfo(fd).LinkTarget != stdin)
                {
                    continue;
                }

                // fdinfo's flags are octal; O_WRONLY is 01: a write end of stdin's pipe inside this process.
                var flags = File.ReadLines($"/proc/self/fdinfo/{name}").FirstOrDefault(l => l.StartsWith("flags:", StringComparison.Ordinal));
                if (flags is not null && (Convert.ToInt32(flags["flags:".Length..].Trim(), 8) & 3) == 1)
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            // /proc unreadable: assume a real stdin.
        }

        return false;
    }
}
