using System.Text;
using System.Text.Json.Nodes;

namespace Injector.Templating;

/// <summary>How a template function depends on what it is given (see <see cref="TemplateFunctions.With(string, TemplateFunction, TemplateFunctionReads)"/>).</summary>
public enum TemplateFunctionReads
{
    /// <summary>The result depends on the arguments alone, read whole (the default).</summary>
    Arguments,

    /// <summary>The function changes a map or list it is given (sprig's set): a render that passes it the data is not memoized.</summary>
    Mutates,

    /// <summary>The result also depends on state outside the data (the environment): the call is checked again by calling it.</summary>
    Outside,

    /// <summary>What the result depends on cannot be told (call): a render that uses the function is not memoized.</summary>
    Unknown,
}

/// <summary>Declares what a function reads of the data it is given, finer than the whole arguments: it records through <paramref name="reads"/>.</summary>
public delegate void TemplateReadSummary(IReadOnlyList<object?> args, TemplateReads reads);

/// <summary>
/// What one render read of its data, so that <see cref="RenderMemo{T}"/> can tell, for other data, whether the render
/// would write the same text. The render's output depends only on constants, its data and its functions, which are
/// pure unless declared otherwise (<see cref="TemplateFunctionReads"/>); every value reached from the data is either
/// recorded where it was read (a field, a key, an element, its truth or length) or, when it is handed whole to a
/// function or printed, recorded whole. Maps and lists reached from the data are tracked by reference, so what is read
/// inside them is recorded where it is read.
/// </summary>
public sealed class TemplateReads
{
    /// <summary>Reads kept per render at most: a render looping over large data is not worth checking read by read.</summary>
    internal const int MaxReads = 4096;

    /// <summary>Characters kept per render at most (values used whole and strings read): a memo holds 64 renders per template.</summary>
    internal const int MaxWholeChars = 64 * 1024;

    // Sized for a sidecar render (a few hundred reads), so recording one grows nothing.
    internal readonly List<Read> Reads = new(512);
    internal readonly List<object> Keys = new(512);
    private readonly Dictionary<object, int> _tracked = new(256, ReferenceEqualityComparer.Instance);

    /// <summary>Maps and lists this render made with dict and list: changing them does not change the data.</summary>
    private readonly HashSet<object> _made = new(ReferenceEqualityComparer.Instance);
    private int _wholeChars;

    /// <summary>False when the render read something a memo cannot check again; <see cref="Incomplete"/> says what.</summary>
    public bool Complete => Incomplete is null;

    /// <summary>Why the render cannot be memoized, or null.</summary>
    public string? Incomplete { get; private set; }

    /// <summary>Reads recorded.</summary>
    public int Count => Reads.Count;

    internal void Begin(object? root)
    {
        Clear();
        Add(new Read(ReadKind.Root, -1), KeyOf(root, _tracked, 0));
    }

    /// <summary>Forgets the render (and the data it tracked), so the recorder can be used for another.</summary>
    public void Clear()
    {
        Reads.Clear();
        Keys.Clear();
        _tracked.Clear();
        _made.Clear();
        _wholeChars = 0;
        Incomplete = null;
    }

    /// <summary>Whether a value is a map, list or view reached from the data (a read inside it must be recorded).</summary>
    public bool IsTracked(object? value) => Incomplete is null && value is not null && !IsScalar(value) && _tracked.ContainsKey(value);

    /// <summary>Records that the render could not be memoized, with the reason.</summary>
    public void Abandon(string reason) => Incomplete ??= reason;

    /// <summary>
    /// Records a key looked up in a tracked map and returns what the lookup gives (null when absent), as
    /// <see cref="Values.TryLookup"/>; a tracked value that is not a map is recorded whole.
    /// </summary>
    public object? Key(object? map, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!Holds(map, maps: true))
        {
            return null;
        }

        var present = Values.TryLookup(map, key, out var value);
        if (IsTracked(map))
        {
            Add(new Read(ReadKind.Key, _tracked[map], key), KeyOfLookup(map, key, present, value, _tracked, Reads.Count));
        }

        return present ? value : null;
    }

    /// <summary>Records whether a tracked map has a key; a tracked value that is not a map is recorded whole.</summary>
    public bool Has(object? map, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!Holds(map, maps: true))
        {
            return false;
        }

        var present = Values.TryLookup(map, key, out _);
        if (IsTracked(map))
        {
            Add(new Read(ReadKind.Has, _tracked[map], key), Values.Bool(present));
        }

        return present;
    }

    /// <summary>Records an element of a tracked list and returns it (null when out of range); a tracked value that is not a list is recorded whole.</summary>
    public object? Element(object? list, long index)
    {
        if (!Holds(list, maps: false))
        {
            return null;
        }

        var items = Values.AsList(list);
        if (index < 0 || index >= items.Count)
        {
            // Out of range: the function fails, or reads the length.
            Length(list);
            return null;
        }

        var value = items[(int)index];
        Element(list, (int)index, value);
        return value;
    }

    /// <summary>
    /// Whether a value is a map (or a list) to look into; a value of another kind is recorded whole, as the function
    /// that meets it fails or reads it some other way.
    /// </summary>
    private bool Holds([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] object? value, bool maps)
    {
        // Nil and scalars are neither (and Whole passes them by).
        if (maps ? Values.IsMap(value) : Values.IsList(value) && value is not ITemplateFields)
        {
            return true;
        }

        Whole(value);
        return false;
    }

    /// <summary>The values a map or list holds (a map's in its own order); null for anything else.</summary>
    private static IEnumerable<object?>? Items(object? value) => value switch
    {
        ITemplateFields => null,
        _ when Values.IsMap(value) => value is IEnumerable<KeyValuePair<string, object?>> entries ? entries.Select(static e => e.Value) : null,
        _ when Values.IsList(value) => Values.AsList(value!),
        _ => null,
    };

    /// <summary>
    /// Records a value handed whole to a function. A map or list made by the template (dict, list) is not reached from
    /// the data itself but may hold what is: what it holds is recorded whole.
    /// </summary>
    public void Whole(object? value) => Whole(value, 0);

    private void Whole(object? value, int depth)
    {
        if (Incomplete is not null || IsScalar(value))
        {
            return;
        }

        if (!IsTracked(value))
        {
            if (depth > 32)
            {
                Abandon("a value used whole is nested too deeply");
                return;
            }

            foreach (var item in Items(value) ?? [])
            {
                Whole(item, depth + 1);
            }

            return;
        }

        string? snapshot;
        try
        {
            snapshot = Snapshot(value);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A value that cannot be written cannot be compared: the render is not kept (below).
            snapshot = null;
        }

        if (snapshot is null)
        {
            Abandon($"a value of type {value!.GetType().Name} was used whole");
            return;
        }

        Add(new Read(ReadKind.Whole, _tracked[value!]), snapshot);
    }

    /// <summary>
    /// Records what a function reads of a tracked value as <paramref name="projection"/> of it: the projection must give
    /// a string, number, bool or null and read nothing else, and the function's result must depend on the value only
    /// through it.
    /// </summary>
    public object? Derived(object? value, Func<object?, object?> projection)
    {
        ArgumentNullException.ThrowIfNull(projection);
        var result = projection(value);
        if (!IsTracked(value))
        {
            // A map or list the template made may hold the data: what the projection could see of it is kept whole.
            Whole(value);
        }
        else
        {
            if (ScalarKey(result) is { } key)
            {
                Add(new Read(ReadKind.Derived, _tracked[value!], Project: projection), key);
            }
            else
            {
                Abandon("a function's projection of the data gave a map or list");
            }
        }

        return result;
    }

    internal void Field(object receiver, string name, object? value)
    {
        if (IsTracked(receiver))
        {
            Add(new Read(ReadKind.Field, _tracked[receiver], name), ByCamelCase(receiver, name, KeyOf(value, _tracked, Reads.Count)));
        }
    }

    /// <summary>
    /// A Go name read from a map by its camel-case key (or as a typed zero) is told apart from one read by the name
    /// itself: where a map sits (which key held it) decides the zero values of the structs below it.
    /// </summary>
    private static object ByCamelCase(object receiver, string name, object key) =>
        name.Length > 0 && char.IsUpper(name[0]) && Values.IsMap(receiver) && !Values.TryLookup(receiver, name, out _) ? new CamelKey(key) : key;

    internal void Element(object list, int index, object? value)
    {
        if (IsTracked(list))
        {
            Add(new Read(ReadKind.Index, _tracked[list], Index: index), KeyOf(value, _tracked, Reads.Count));
        }
    }

    /// <summary>Records the length of a tracked map or list.</summary>
    public void Length(object? value)
    {
        if (IsTracked(value))
        {
            Add(new Read(ReadKind.Length, _tracked[value!]), (long)LengthOf(value!));
        }
    }

    /// <summary>Records whether a tracked value is true in a condition (a map or list: whether it is empty).</summary>
    public void Truth(object? value)
    {
        if (IsTracked(value))
        {
            Add(new Read(ReadKind.Truth, _tracked[value!]), Values.Bool(Templating.Truth.IsTrue(value)));
        }
    }

    /// <summary>Before a function call: what the function reads of the data, as its registry entry declares.</summary>
    internal void Call(FunctionEntry entry, IReadOnlyList<object?> args)
    {
        if (Incomplete is not null)
        {
            return;
        }

        switch (entry.Reads)
        {
            case TemplateFunctionReads.Unknown:
                Abandon($"the function {entry.Name} was called");
                return;
            case TemplateFunctionReads.Mutates:
                for (var i = 0; i < args.Count; i++)
                {
                    if (Touches(args[i], 0))
                    {
                        Abandon($"the function {entry.Name} was given the data to change");
                        return;
                    }
                }
                return;
            case TemplateFunctionReads.Outside:
                for (var i = 0; i < args.Count; i++)
                {
                    if (!IsScalar(args[i]))
                    {
                        Abandon($"the function {entry.Name}, which reads outside the data, was given a map or list");
                        return;
                    }
                }
                return;
        }

        if (entry.Summary is { } summary)
        {
            try
            {
                summary(args, this);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The function itself fails on these arguments, or its summary does: either way nothing is kept.
                Abandon($"what the function {entry.Name} reads could not be recorded: {e.Message}");
            }

            return;
        }

        for (var i = 0; i < args.Count; i++)
        {
            Whole(args[i]);
        }
    }

    /// <summary>Whether a value is reached from the data or holds (in a map or list the template made) one that is.</summary>
    private bool Touches(object? value, int depth)
    {
        if (IsScalar(value))
        {
            return false;
        }

        // A container this render did not make with dict or list may be the data reached through a function (first,
        // default) without being tracked.
        if (IsTracked(value) || depth > 32 || !_made.Contains(value!))
        {
            return true;
        }

        foreach (var item in Items(value) ?? [])
        {
            if (Touches(item, depth + 1))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>After a call of a function that reads outside the data: its arguments and result, to call it again.</summary>
    internal void Called(FunctionEntry entry, IReadOnlyList<object?> args, object? result)
    {
        if (Incomplete is not null)
        {
            return;
        }

        if (FunctionReads.Makes(entry.Name) && result is not null && !IsScalar(result))
        {
            _made.Add(result);
        }

        if (entry.Reads != TemplateFunctionReads.Outside)
        {
            return;
        }

        if ((ScalarKey(result) ?? WholeKey.Of(Snapshot(result))) is { } key)
        {
            Add(new Read(ReadKind.Call, -1, Function: entry, Args: [.. args]), key);
        }
        else
        {
            Abandon($"the function {entry.Name} gave a value that cannot be compared");
        }
    }

    private void Add(Read read, object key)
    {
        if (Incomplete is not null)
        {
            return;
        }

        if (Reads.Count >= MaxReads)
        {
            Abandon($"the render read more than {MaxReads} values");
            return;
        }

        if (key is string text)
        {
            _wholeChars += text.Length;
            if (_wholeChars > MaxWholeChars)
            {
                Abandon("the values read are too large to keep");
                return;
            }
        }

        Reads.Add(read);
        Keys.Add(key);
    }

    // ---- Shared by recording and checking: the same read of the same data gives the same key. ----

    private static readonly object NullKey = new();
    private static readonly object Absent = new();

    /// <summary>A read that cannot be made on the data checked (a key no recorded read has).</summary>
    private static readonly object Failed = new();

    internal static bool IsScalar(object? v) => v is null or string or bool or long or double or Missing;

    private static object? ScalarKey(object? v) => v switch
    {
        null => NullKey,
        string or bool or long or Missing => v,
        // By its bits: 0 and -0 are equal doubles but Go prints them apart.
        double d => new DoubleBits(BitConverter.DoubleToInt64Bits(d)),
        int i => (long)i,
        _ => null,
    };

    /// <summary>A scalar is its own key; a map, list or view is its type, or which earlier read gave the same object (registered as read <paramref name="index"/>).</summary>
    internal static object KeyOf(object? value, Dictionary<object, int> tracked, int index)
    {
        if (ScalarKey(value) is { } scalar)
        {
            return scalar;
        }

        if (tracked.TryGetValue(value!, out var earlier))
        {
            return new Alias(earlier);
        }

        tracked[value!] = index;
        return value!.GetType();
    }

    /// <summary>A key lookup as <see cref="Values.TryLookup"/> gives it; a JSON number keeps its text (a function may print it as written).</summary>
    private static object KeyOfLookup(object map, string key, bool present, object? value, Dictionary<object, int> tracked, int index)
    {
        if (!present)
        {
            return Absent;
        }

        if (map is JsonObject json && json[key] is JsonValue raw && value is long or double)
        {
            return new NumberText(raw.ToJsonString(), value is long);
        }

        return KeyOf(value, tracked, index);
    }

    private static int LengthOf(object value) =>
        Values.IsMap(value) ? Values.MapCount(value) : Values.IsList(value) ? Values.AsList(value).Count : -1;

    /// <summary>Checks one read against other data: the key it gives there (<see cref="Failed"/> when the read cannot be made).</summary>
    internal static object Check(Read read, List<object?> results, Dictionary<object, int> tracked, ITypedMaps? typed, out object? value)
    {
        value = null;
        var index = results.Count;
        var on = read.Parent >= 0 ? results[read.Parent] : null;
        switch (read.Kind)
        {
            case ReadKind.Field:
                if (on is null || !Executor.TryReadField(on, read.Name!, typed, out value))
                {
                    return Failed;
                }
                return ByCamelCase(on, read.Name!, KeyOf(value, tracked, index));
            case ReadKind.Key:
                if (on is null || !Values.IsMap(on))
                {
                    return Failed;
                }
                var present = Values.TryLookup(on, read.Name!, out value);
                return KeyOfLookup(on, read.Name!, present, value, tracked, index);
            case ReadKind.Has:
                return on is null || !Values.IsMap(on) ? Failed : Values.Bool(Values.TryLookup(on, read.Name!, out _));
            case ReadKind.Index:
                if (on is null || !Values.IsList(on))
                {
                    return Failed;
                }
                var list = Values.AsList(on);
                if (read.Index >= list.Count)
                {
                    return Failed;
                }
                value = list[read.Index];
                return KeyOf(value, tracked, index);
            case ReadKind.Length:
                return on is null ? Failed : (long)LengthOf(on);
            case ReadKind.Truth:
                return Values.Bool(Templating.Truth.IsTrue(on));
            case ReadKind.Whole:
                return Snapshot(on) ?? Failed;
            case ReadKind.Derived:
                try
                {
                    return ScalarKey(read.Project!(on)) ?? Failed;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    return Failed;
                }
            case ReadKind.Call:
                try
                {
                    var result = Values.Normalize(read.Function!.Fn(read.Args!));
                    return ScalarKey(result) ?? WholeKey.Of(Snapshot(result)) ?? Failed;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    return Failed;
                }
            default:
                return Failed;
        }
    }

    /// <summary>A whole value as text that tells apart everything a function could see in it; null when it cannot be written.</summary>
    internal static string? Snapshot(object? value)
    {
        var text = new StringBuilder();
        return WriteSnapshot(text, value, 0) ? text.ToString() : null;
    }

    private static bool WriteSnapshot(StringBuilder text, object? value, int depth)
    {
        if (depth > 64)
        {
            return false;
        }

        switch (value)
        {
            case null:
                text.Append("nil");
                return true;
            case Missing:
                text.Append("missing");
                return true;
            case string s:
                text.Append('s').Append(s.Length).Append(':').Append(s);
                return true;
            case bool b:
                text.Append(b ? "true" : "false");
                return true;
            case long l:
                text.Append('i').Append(l.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return true;
            case double d:
                text.Append('f').Append(BitConverter.DoubleToInt64Bits(d).ToString(System.Globalization.CultureInfo.InvariantCulture));
                return true;
            case JsonObject json:
                text.Append("J{");
                foreach (var (key, item) in json)
                {
                    text.Append('s').Append(key.Length).Append(':').Append(key).Append('=');
                    if (!WriteSnapshot(text, item, depth + 1))
                    {
                        return false;
                    }
                    text.Append(',');
                }
                text.Append('}');
                return true;
            case JsonArray array:
                text.Append("J[");
                foreach (var item in array)
                {
                    if (!WriteSnapshot(text, item, depth + 1))
                    {
                        return false;
                    }
                    text.Append(',');
                }
                text.Append(']');
                return true;
            case JsonValue scalar:
                // As the engine reads it (an integer or a float64) and as written (a function may print the text).
                if (!WriteSnapshot(text, Values.UnwrapJsonValue(scalar), depth + 1))
                {
                    return false;
                }
                text.Append('~').Append(scalar.ToJsonString());
                return true;
            case ITemplateSnapshot view:
                text.Append(view.GetType().Name).Append('(');
                if (!WriteSnapshot(text, view.Snapshot(), depth + 1))
                {
                    return false;
                }
                text.Append(')');
                return true;
        }

        // In their own order: a function may see it (a map of the data is built the same way for every render).
        if (Values.IsMap(value) && value is IEnumerable<KeyValuePair<string, object?>> entries)
        {
            text.Append(value.GetType().Name).Append('{');
            foreach (var (key, item) in entries)
            {
                text.Append('s').Append(key.Length).Append(':').Append(key).Append('=');
                if (!WriteSnapshot(text, Values.Normalize(item), depth + 1))
                {
                    return false;
                }
                text.Append(',');
            }
            text.Append('}');
            return true;
        }

        if (Values.IsList(value) && value is not ITemplateFields)
        {
            text.Append(value.GetType().Name).Append('[');
            foreach (var item in Values.AsList(value))
            {
                if (!WriteSnapshot(text, item, depth + 1))
                {
                    return false;
                }
                text.Append(',');
            }
            text.Append(']');
            return true;
        }

        return false;
    }

    internal enum ReadKind
    {
        Root,
        Field,
        Key,
        Has,
        Index,
        Length,
        Truth,
        Whole,
        Derived,
        Call,
    }

    /// <summary>One question a render asked of its data: what kind, of which earlier read's value (-1: none), with which name or index.</summary>
    internal sealed record Read(ReadKind Kind, int Parent, string? Name = null, int Index = 0, Func<object?, object?>? Project = null, FunctionEntry? Function = null, object?[]? Args = null)
    {
        public bool Asks(Read other) =>
            Kind == other.Kind
            && Parent == other.Parent
            && Index == other.Index
            && string.Equals(Name, other.Name, StringComparison.Ordinal)
            && ReferenceEquals(Project, other.Project)
            && ReferenceEquals(Function, other.Function)
            && SameArgs(Args, other.Args);

        private static bool SameArgs(object?[]? a, object?[]? b)
        {
            if (a is null || b is null)
            {
                return a is null && b is null;
            }

            if (a.Length != b.Length)
            {
                return false;
            }

            for (var i = 0; i < a.Length; i++)
            {
                if (!Equals(ScalarKey(a[i]), ScalarKey(b[i])))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>The read gave the very object an earlier read gave.</summary>
    internal sealed record Alias(int Earlier);

    /// <summary>A whole value's key where a scalar could be the answer too.</summary>
    private sealed record WholeKey(string Snapshot)
    {
        public static WholeKey? Of(string? snapshot) => snapshot is null ? null : new WholeKey(snapshot);
    }

    /// <summary>A key read by its camel-case spelling.</summary>
    private sealed record CamelKey(object Inner);

    /// <summary>A double's key.</summary>
    private sealed record DoubleBits(long Bits);

    /// <summary>A JSON number as written, and whether the engine reads it as an integer.</summary>
    private sealed record NumberText(string Text, bool Integer);
}

/// <summary>A view (<see cref="ITemplateFields"/>) whose whole content a memo can compare: everything it shows, as plain data.</summary>
public interface ITemplateSnapshot
{
    object? Snapshot();
}
