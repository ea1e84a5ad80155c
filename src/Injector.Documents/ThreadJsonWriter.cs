using System.Buffers;
using System.Text.Json;

namespace Injector.Documents;

/// <summary>
/// A <see cref="Utf8JsonWriter"/> and the buffer it writes into, kept per thread, for JSON written on every request:
/// only the result is allocated. Each owner keeps its own instance (a static field), so one owner's writing never
/// reuses another's mid-write. Writes are synchronous (<see cref="Start"/>, write, <see cref="Written"/>,
/// <see cref="Finish"/> on one thread); a buffer grown past the bound is dropped at <see cref="Finish"/>, so one large
/// document does not keep its buffer for the thread's life.
/// </summary>
/// <param name="options">The writer's options (its encoder decides the escaping).</param>
/// <param name="initialBytes">A new buffer's size.</param>
/// <param name="maxKeptBytes">The largest buffer kept for the next write.</param>
public sealed class ThreadJsonWriter(JsonWriterOptions options, int initialBytes, int maxKeptBytes) : IDisposable
{
    private readonly ThreadLocal<State> _state = new(() => new State());

    /// <summary>The thread's writer, on an empty buffer.</summary>
    public Utf8JsonWriter Start()
    {
        var state = _state.Value!;
        var buffer = state.Buffer ??= new ArrayBufferWriter<byte>(initialBytes);
        var writer = state.Writer ??= new Utf8JsonWriter(buffer, options);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        return writer;
    }

    /// <summary>What was written since <see cref="Start"/>, flushed; valid until the next <see cref="Start"/> on this thread.</summary>
    public ReadOnlySpan<byte> Written
    {
        get
        {
            var state = _state.Value!;
            state.Writer!.Flush();
            return state.Buffer!.WrittenSpan;
        }
    }

    /// <summary>Ends a write: the writer lets go of the buffer, and a buffer grown past the bound is dropped.</summary>
    public void Finish()
    {
        var state = _state.Value!;
        state.Writer?.Reset(Stream.Null);
        if (state.Buffer is { } buffer && buffer.Capacity > maxKeptBytes)
        {
            state.Buffer = null;
        }
    }

    public void Dispose() => _state.Dispose();

    private sealed class State
    {
        public ArrayBufferWriter<byte>? Buffer { get; set; }

        public Utf8JsonWriter? Writer { get; set; }
    }
}
