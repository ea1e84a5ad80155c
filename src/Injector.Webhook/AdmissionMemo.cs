using System.Collections.Concurrent;
using Injector.Core;
using Injector.Core.Policy;

namespace Injector.Webhook;

/// <summary>
/// Answers already computed, by everything that decides them: the injector (one configuration snapshot with the
/// cluster's facts built in: a reload or a node change makes a new one, and empties the memo), the request namespace,
/// the path (its env overrides) and the exact bytes of <c>request.object</c> make the key; the namespace annotations
/// the injector read are kept with the answer, which holds only while they are the same dictionary (the watch's or
/// the cache's: a change makes a new one). A ReplicaSet's pods arrive as identical objects (no name or uid yet), so a
/// rollout injects once. The uid, dry run and the review's apiVersion are not part of the answer and are filled in
/// per request. Answers that depend on time (the deadline) or on a failure of the injector itself are never kept.
/// Bounded by entries and bytes; past either it starts over.
/// <para>
/// An answer seen once waits in a small probation table (a slot per key hash, the last answer to land there kept)
/// and joins the memo proper when its key comes again. A rollout's second pod finds it there, as it would in the
/// memo; a stream of distinct pods (every pod of a new template, a job controller's) only ever replaces probation
/// answers, which die young, instead of filling the memo with answers that are never asked for again and that the
/// collector would have to promote, carry and compact (measured: with distinct pods, the same throughput and peak
/// resident memory as with no memo at all).
/// </para>
/// </summary>
public sealed class AdmissionMemo
{
    public const int DefaultMaxEntries = 1024;
    public const long DefaultMaxBytes = 32L * 1024 * 1024;

    /// <summary>At most this many probation slots (a quarter of the entries when that is fewer; none below four).</summary>
    public const int MaxProbationSlots = 64;

    private readonly ConcurrentDictionary<MemoKey, MemoAnswer> _answers = new();
    private readonly Waiting?[] _probation;
    private readonly int _maxEntries;
    private readonly long _maxBytes;
    private long _bytes;
    private int _count;
    private IPodInjector? _injector;
    private long _hits;
    private long _misses;
    private readonly Lock _adding = new();

    /// <param name="maxEntries">Answers kept in all, probation included.</param>
    /// <param name="maxBytes">Bytes the memo proper holds; the probation holds at most as much again.</param>
    public AdmissionMemo(int maxEntries = DefaultMaxEntries, long maxBytes = DefaultMaxBytes)
    {
        _probation = new Waiting?[Math.Min(MaxProbationSlots, maxEntries / 4)];
        _maxEntries = maxEntries - _probation.Length;
        _maxBytes = maxBytes;
    }

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Answers kept, in the memo proper and in probation.</summary>
    public int Count => Volatile.Read(ref _count) + _probation.Count(w => w is not null);

    /// <summary>Answers in the memo proper: those whose key came at least twice.</summary>
    public int Proper => Volatile.Read(ref _count);

    public bool TryGet(MemoKey key, out MemoAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!ReferenceEquals(Volatile.Read(ref _injector), key.Injector))
        {
            // A new configuration snapshot: nothing kept applies to it. Under the lock, so no answer of the old one is
            // added after the clear.
            lock (_adding)
            {
                Volatile.Write(ref _injector, key.Injector);
                Clear();
            }
        }

        if (_answers.TryGetValue(key, out answer!))
        {
            return true;
        }

        if (_probation.Length == 0)
        {
            return false;
        }

        var slot = Slot(key);
        if (Volatile.Read(ref _probation[slot]) is not { } waiting || !waiting.Key.Equals(key))
        {
            return false;
        }

        // Asked for again: it joins the memo proper (unless the snapshot changed meanwhile, which cleared the slot).
        lock (_adding)
        {
            if (ReferenceEquals(Interlocked.CompareExchange(ref _probation[slot], null, waiting), waiting))
            {
                Keep(key, waiting.Answer);
            }
        }

        answer = waiting.Answer;
        return true;
    }

    /// <summary>Counts a lookup: a hit when the kept answer was used, a miss when the answer was computed.</summary>
    public void Record(bool hit) => Interlocked.Increment(ref hit ? ref _hits : ref _misses);

    /// <summary>
    /// Keeps an answer unless it depends on time or on a failure of the injector. Under one lock: it runs on misses
    /// only, and the counts, a replaced answer and the injector check stay consistent.
    /// </summary>
    public void Add(MemoKey key, MemoAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(answer);
        if (!Keepable(answer))
        {
            return;
        }

        lock (_adding)
        {
            // Computed under an old configuration snapshot: not kept alive by the memo.
            if (!ReferenceEquals(Volatile.Read(ref _injector), key.Injector))
            {
                return;
            }

            if (_answers.TryGetValue(key, out var previous))
            {
                // Computed with other namespace annotations: the new answer replaces it.
                _answers[key] = answer;
                Interlocked.Add(ref _bytes, answer.Size - previous.Size);
                return;
            }

            // Seen once so far: it waits in probation, unless it is larger than a probation slot's share of the bytes.
            if (_probation.Length > 0 && answer.Size + key.Size <= _maxBytes / _probation.Length)
            {
                Volatile.Write(ref _probation[Slot(key)], new Waiting(key, answer));
                return;
            }

            Keep(key, answer);
        }
    }

    /// <summary>Adds an answer to the memo proper, starting over when it is full (under the lock).</summary>
    private void Keep(MemoKey key, MemoAnswer answer)
    {
        var size = answer.Size + key.Size;
        if (Volatile.Read(ref _count) >= _maxEntries || Interlocked.Read(ref _bytes) + size > _maxBytes)
        {
            ClearProper();
        }

        if (_answers.TryAdd(key, answer))
        {
            Interlocked.Increment(ref _count);
            Interlocked.Add(ref _bytes, size);
        }
    }

    /// <summary>The key's probation slot.</summary>
    private int Slot(MemoKey key) => (int)(ulong)(key.ObjectHashLow % (uint)_probation.Length);

    /// <summary>
    /// Whether an answer is the same whenever it is computed. Not: the deadline, an internal error, a failure with an
    /// exception behind it (stack depth), and a template failure, which may be a regular expression's 200 ms timeout
    /// on a loaded machine: kept, it would deny every identical pod of the rollout, and its retries.
    /// </summary>
    public static bool Keepable(MemoAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return answer.Result is not InjectionResult.Denied denied
            || (denied.Cause is null
                && denied.Reason != DenialReason.DeadlineExceeded
                && denied.Reason != DenialReason.InternalError
                && denied.Reason != DenialReason.TemplateFailed);
    }

    /// <summary>Starts over, probation included (under the lock).</summary>
    private void Clear()
    {
        ClearProper();
        for (var i = 0; i < _probation.Length; i++)
        {
            Volatile.Write(ref _probation[i], null);
        }
    }

    /// <summary>Empties the memo proper; probation is left as it is (under the lock).</summary>
    private void ClearProper()
    {
        _answers.Clear();
        Interlocked.Exchange(ref _count, 0);
        Interlocked.Exchange(ref _bytes, 0);
    }

    /// <summary>An answer seen once, with its key.</summary>
    private sealed record Waiting(MemoKey Key, MemoAnswer Answer);
}

/// <summary>What decides an admission's answer (see <see cref="AdmissionMemo"/>).</summary>
/// <param name="Injector">The injector in force (compared by identity).</param>
/// <param name="RequestNamespace">The request's namespace.</param>
/// <param name="Path">The request path (its env overrides).</param>
/// <param name="ObjectHashHigh">The first half of the SHA-256 of the raw bytes of <c>request.object</c>.</param>
/// <param name="ObjectHashLow">Its second half.</param>
public sealed record MemoKey(IPodInjector Injector, string? RequestNamespace, string Path, UInt128 ObjectHashHigh, UInt128 ObjectHashLow)
{
    public bool Equals(MemoKey? other) =>
        other is not null
        && ReferenceEquals(Injector, other.Injector)
        && ObjectHashHigh == other.ObjectHashHigh
        && ObjectHashLow == other.ObjectHashLow
        && string.Equals(RequestNamespace, other.RequestNamespace, StringComparison.Ordinal)
        && string.Equals(Path, other.Path, StringComparison.Ordinal);

    public override int GetHashCode() => HashCode.Combine(ObjectHashLow, Path, RequestNamespace);

    /// <summary>What the key holds in memory, roughly.</summary>
    public long Size => 96 + (2L * ((RequestNamespace?.Length ?? 0) + Path.Length));

    public static MemoKey Of(IPodInjector injector, string? requestNamespace, string path, ReadOnlySpan<byte> objectBytes)
    {
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(objectBytes, hash);
        return new MemoKey(
            injector,
            requestNamespace,
            path,
            System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(hash[..16]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(hash[16..]));
    }
}

/// <summary>An answer kept: the result without the injected pod, the patch as the bytes that are sent, and what the pod's object said of itself.</summary>
/// <param name="Result">The injector's result (for an injection, its pod and patch trees are not kept).</param>
/// <param name="Patch">The JSON patch bytes of an injection; null otherwise.</param>
public sealed record MemoAnswer(InjectionResult Result, byte[]? Patch)
{
    /// <summary>The pod's namespace (its own, else the request's), as read: its annotations are looked up by it.</summary>
    public string PodNamespace { get; init; } = "";

    /// <summary>The same, escaped for logs.</summary>
    public string Namespace { get; init; } = "";

    /// <summary>The pod's name or generateName, escaped for logs; null when it has neither (the request's name is used).</summary>
    public string? Name { get; init; }

    /// <summary>The workload the pod's Events go on.</summary>
    public Events.EventSubject? Subject { get; init; }

    /// <summary>The namespace annotations the injector read (compared by identity), or null.</summary>
    public IReadOnlyDictionary<string, string>? NamespaceAnnotations { get; init; }

    /// <summary>The response as encoded, all but its uid (<see cref="AnswerBytes.Tail"/>).</summary>
    internal ReadOnlyMemory<byte>? ResponseTail { get; init; }

    public long Size => 512 + (Patch?.LongLength ?? 0) + (ResponseTail?.Length ?? 0) + (Result is InjectionResult.Denied d ? 2L * d.Message.Length : 0)
        + Result.Warnings.Sum(w => 2L * w.Length) + (4L * (Namespace.Length + (Name?.Length ?? 0)));
}
