namespace Injector.Templating;

/// <summary>
/// Renders of one template kept by what they read (<see cref="TemplateReads"/>): data that gives the same answer to
/// every read a kept render made would render the same text, so its value is found without rendering. A template is
/// deterministic, so renders that got the same answers so far ask the same next question: the kept renders form a
/// tree of reads, and checking data walks one path of it, stopping at the first answer no kept render got.
/// </summary>
/// <remarks>
/// The tree is immutable once published: a lookup reads it without a lock while an insertion builds a new path and
/// publishes a new root. It is bounded by <see cref="MaxKept"/> renders; when full it starts again empty.
/// </remarks>
public sealed class RenderMemo<T>
    where T : class
{
    /// <summary>Renders kept at most (each holds its reads and its value).</summary>
    public const int MaxKept = 64;

    private readonly Lock _gate = new();
    private Node? _root;
    private int _kept;

    [ThreadStatic]
    private static CheckState? t_state;

    private long _found;
    private int _missed;

    /// <summary>
    /// Whether the next render should be recorded: always, until many renders in a row found nothing (pods that each
    /// differ where the template reads, such as a new app label each); then one in 16, so the memo still learns.
    /// </summary>
    public bool Records
    {
        get
        {
            var missed = Volatile.Read(ref _missed);
            return missed < 256 || (missed & 15) == 0;
        }
    }

    /// <summary>Lookups that found a kept render.</summary>
    public long Found => Interlocked.Read(ref _found);

    /// <summary>Renders kept now.</summary>
    public int Kept => Volatile.Read(ref _kept);

    /// <summary>
    /// Renders that asked another question than a kept render with the same answers so far: the template is not
    /// deterministic (a function declared pure is not), so the memo has stopped keeping and finding renders.
    /// </summary>
    public int Conflicts { get; private set; }

    /// <summary>The value kept for a render whose reads <paramref name="data"/> answers alike; false when there is none.</summary>
    public bool TryFind(object? data, out T value)
    {
        value = null!;
        var node = Volatile.Read(ref _root);
        if (node is null)
        {
            Interlocked.Increment(ref _missed);
            return false;
        }

        // The thread's state, taken while in use (a view or function that checks another memo gets its own).
        var state = t_state ?? new CheckState();
        t_state = null;
        var results = state.Results;
        var tracked = state.Tracked;
        results.Clear();
        tracked.Clear();
        try
        {
            var root = data is null ? Missing.Value : Values.Normalize(data);
            var typed = data as ITypedMaps;
            while (node.Read is { } read)
            {
                object key;
                object? result;
                if (read.Kind == TemplateReads.ReadKind.Root)
                {
                    result = root;
                    key = TemplateReads.KeyOf(root, tracked, 0);
                }
                else
                {
                    key = TemplateReads.Check(read, results, tracked, typed, out result);
                }

                results.Add(result);
                if (node.Next(key) is not { } next)
                {
                    Interlocked.Increment(ref _missed);
                    return false;
                }

                node = next;
            }

            value = node.Value!;
            Interlocked.Increment(ref _found);
            if (Volatile.Read(ref _missed) != 0)
            {
                Volatile.Write(ref _missed, 0);
            }

            return true;
        }
        finally
        {
            // The data may be large: nothing of it stays referenced by the thread.
            results.Clear();
            tracked.Clear();
            t_state = state;
        }
    }

    /// <summary>Forgets every kept render (their values are dropped by their owner).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _kept = 0;
            Volatile.Write(ref _root, null);
        }
    }

    /// <summary>
    /// Keeps <paramref name="value"/> for renders that read what <paramref name="reads"/> recorded; nothing when the
    /// render cannot be memoized. True when this render stopped the memo (the first conflict), so its owner can say so.
    /// </summary>
    public bool Add(TemplateReads reads, T value)
    {
        ArgumentNullException.ThrowIfNull(reads);
        ArgumentNullException.ThrowIfNull(value);
        if (!reads.Complete)
        {
            return false;
        }

        lock (_gate)
        {
            if (Conflicts > 0)
            {
                return false;
            }

            var root = _kept >= MaxKept ? null : _root;
            var added = Insert(root, reads, value);
            if (added is null)
            {
                // What was found before may have been wrong as well: nothing is kept or found from now on.
                Conflicts++;
                _kept = 0;
                Volatile.Write(ref _root, null);
                return true;
            }

            if (ReferenceEquals(added, root))
            {
                return false;
            }

            _kept = root is null ? 1 : _kept + 1;
            Volatile.Write(ref _root, added);
            return false;
        }
    }

    /// <summary>The tree with the render's path added (copied along the path); the same tree when it was kept already; null on a conflict.</summary>
    private static Node? Insert(Node? root, TemplateReads reads, T value)
    {
        var count = reads.Count;
        var path = new List<(Node Node, int Child)>();
        var node = root;
        var i = 0;
        while (node is not null)
        {
            if (i == count)
            {
                return node.Read is null ? root : null;
            }

            if (node.Read is null || !node.Read.Asks(reads.Reads[i]))
            {
                return null;
            }

            var child = node.IndexOf(reads.Keys[i]);
            path.Add((node, child));
            node = child < 0 ? null : node.Children[child].Value;
            i++;
        }

        // The reads after the last one the tree has, ending at the value.
        var tail = new Node(null, [], value);
        for (var j = count - 1; j >= i; j--)
        {
            tail = new Node(reads.Reads[j], [new(reads.Keys[j], tail)], null);
        }

        // The path copied from the bottom up (path[k] is the node of read k).
        for (var k = path.Count - 1; k >= 0; k--)
        {
            var (at, child) = path[k];
            KeyValuePair<object, Node>[] children;
            if (child < 0)
            {
                children = [.. at.Children, new(reads.Keys[k], tail)];
            }
            else
            {
                children = (KeyValuePair<object, Node>[])at.Children.Clone();
                children[child] = new(reads.Keys[k], tail);
            }

            tail = new Node(at.Read, children, null);
        }

        return tail;
    }

    /// <summary>A read and the nodes after each answer kept for it, or (no read) a kept render's value.</summary>
    private sealed class Node(TemplateReads.Read? read, KeyValuePair<object, Node>[] children, T? value)
    {
        public TemplateReads.Read? Read { get; } = read;

        public KeyValuePair<object, Node>[] Children { get; } = children;

        public T? Value { get; } = value;

        public Node? Next(object key) => IndexOf(key) is var i and >= 0 ? Children[i].Value : null;

        public int IndexOf(object key)
        {
            var children = Children;
            for (var i = 0; i < children.Length; i++)
            {
                if (Equals(children[i].Key, key))
                {
                    return i;
                }
            }

            return -1;
        }
    }

    private sealed class CheckState
    {
        public readonly List<object?> Results = new(256);
        public readonly Dictionary<object, int> Tracked = new(ReferenceEqualityComparer.Instance);
    }
}
