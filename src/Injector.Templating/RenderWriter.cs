using System.Globalization;
using System.Text;

namespace Injector.Templating;

/// <summary>
/// The writer behind the string-returning Execute overloads. It keeps the first string written as is, so a template
/// whose output is one value (<c>{{ toJSON . }}</c>, as helper templates are) returns that string without copying;
/// further writes go to a builder. Instances are reused per thread (see <see cref="Rent"/>): a render allocates no
/// builder of its own, and nested renders (functions that execute templates) each get their own writer.
/// </summary>
internal sealed class RenderWriter : TextWriter
{
    private const int PoolSize = 4;

    /// <summary>Builders that grew beyond this many characters are not kept for the next render.</summary>
    private const int MaxKeptCapacity = 256 * 1024;

    [ThreadStatic]
    private static RenderWriter?[]? t_pool;

    private readonly StringBuilder _builder = new(256);
    private string? _single;

    private RenderWriter() : base(CultureInfo.InvariantCulture)
    {
    }

    private readonly List<KeyValuePair<string, object?>> _vars = new(16);
    private Executor? _executor;

    /// <summary>The executor for renders into this writer, reused with its variable stack.</summary>
    public Executor Executor => _executor ??= new Executor(this, _vars);

    public override Encoding Encoding => Encoding.Unicode;

    /// <summary>A writer for this thread, empty; give it back with <see cref="Return"/>.</summary>
    public static RenderWriter Rent()
    {
        var pool = t_pool;
        if (pool is not null)
        {
            for (var i = 0; i < pool.Length; i++)
            {
                if (pool[i] is { } w)
                {
                    pool[i] = null;
                    return w;
                }
            }
        }
        return new RenderWriter();
    }

    /// <summary>Clears the writer and keeps it for this thread's next render.</summary>
    public static void Return(RenderWriter writer)
    {
        writer._single = null;
        writer._vars.Clear();
        if (writer._builder.Capacity > MaxKeptCapacity)
        {
            return;
        }
        writer._builder.Clear();
        var pool = t_pool ??= new RenderWriter?[PoolSize];
        for (var i = 0; i < pool.Length; i++)
        {
            if (pool[i] is null)
            {
                pool[i] = writer;
                return;
            }
        }
    }

    /// <summary>Everything written so far.</summary>
    public string Text() => _builder.Length == 0 ? _single ?? "" : _builder.ToString();

    /// <summary>
    /// Everything written so far as a span, valid until the writer is returned: the builder's chunks copied into one
    /// buffer the writer keeps (up to <see cref="MaxKeptCapacity"/>), so no string is made.
    /// </summary>
    public ReadOnlySpan<char> Span()
    {
        if (_builder.Length == 0)
        {
            return _single;
        }

        if (_span.Length < _builder.Length)
        {
            _span = new char[Math.Max(_builder.Length, Math.Min(2 * _span.Length, MaxKeptCapacity))];
        }

        _builder.CopyTo(0, _span, _builder.Length);
        var text = _span.AsSpan(0, _builder.Length);
        if (_span.Length > MaxKeptCapacity)
        {
            _span = [];
        }

        return text;
    }

    private char[] _span = [];

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        Reserve(value.Length);
        if (_builder.Length == 0 && _single is null)
        {
            _single = value;
            return;
        }
        Spill();
        _builder.Append(value);
    }

    public override void Write(char value)
    {
        Reserve(1);
        Spill();
        _builder.Append(value);
    }

    public override void Write(char[] buffer, int index, int count)
    {
        Reserve(count);
        Spill();
        _builder.Append(buffer, index, count);
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        Reserve(buffer.Length);
        Spill();
        _builder.Append(buffer);
    }

    /// <summary>Refuses a write that would take the output past <see cref="Executor.MaxOutputChars"/>.</summary>
    private void Reserve(int count)
    {
        var length = _builder.Length + (_single?.Length ?? 0);
        if ((long)length + count > Executor.MaxOutputChars)
        {
            throw new TemplateExecutionException($"template: the output is larger than the limit of {Executor.MaxOutputChars} characters");
        }
    }

    private void Spill()
    {
        if (_single is not null)
        {
            _builder.Append(_single);
            _single = null;
        }
    }
}
