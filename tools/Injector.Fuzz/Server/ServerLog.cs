namespace Injector.Fuzz.Server;

/// <summary>
/// The server's stdout and stderr, every start appended to one file, with the last lines kept in memory to print
/// when the server dies.
/// </summary>
internal sealed class ServerLog : IDisposable
{
    private const int KeptLines = 40;
    private readonly Lock _gate = new();
    private readonly StreamWriter _writer;
    private readonly Queue<string> _last = new();

    public ServerLog(string path)
    {
        Path = path;
        _writer = new StreamWriter(path, append: true) { AutoFlush = true };
    }

    public string Path { get; }

    public long Lines { get; private set; }

    public void Write(string line)
    {
        lock (_gate)
        {
            _writer.WriteLine(line);
            Lines++;
            _last.Enqueue(line);
            if (_last.Count > KeptLines)
            {
                _last.Dequeue();
            }
        }
    }

    public IReadOnlyList<string> Tail(int count)
    {
        lock (_gate)
        {
            return [.. _last.Skip(Math.Max(0, _last.Count - count))];
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _writer.Dispose();
        }
    }
}
