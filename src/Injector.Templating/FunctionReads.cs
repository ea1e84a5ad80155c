namespace Injector.Templating;

/// <summary>
/// What Go's builtins and the sprig and Istio helpers depend on, for <see cref="RenderMemo{T}"/>: all are pure
/// functions of their arguments except the ones that change a map they are given and call; a few read less than
/// their whole arguments and say so.
/// </summary>
internal static class FunctionReads
{
    public static TemplateFunctionReads Of(string name) => name switch
    {
        "call" => TemplateFunctionReads.Unknown,
        "set" or "unset" or "merge" or "mergeOverwrite" => TemplateFunctionReads.Mutates,
        _ => TemplateFunctionReads.Arguments,
    };

    /// <summary>Whether the function returns a new map or list holding its arguments (which the render may then change as its own).</summary>
    public static bool Makes(string name) => name is "dict" or "list";

    public static TemplateReadSummary? Summary(string name) => name switch
    {
        "index" => Index,
        "len" => static (a, reads) => reads.Length(a.Count > 0 ? a[0] : null),
        "not" => static (a, reads) => reads.Truth(a.Count > 0 ? a[0] : null),
        "hasKey" => static (a, reads) => KeyOf(a, reads, presence: true),
        "isset" => static (a, reads) => KeyOf(a, reads, presence: false),
        // They hold their arguments without reading them: what is read of the result later is recorded then (a key of dict is read as text).
        "list" => static (_, _) => { }
        ,
        "dict" => static (a, reads) =>
        {
            for (var i = 0; i < a.Count; i += 2)
            {
                reads.Whole(a[i]);
            }
        }
        ,
        _ => null,
    };

    /// <summary><c>index ITEM KEY...</c>: each key (string) or element (integer) on the way, as Go's index takes them.</summary>
    private static void Index(IReadOnlyList<object?> a, TemplateReads reads)
    {
        for (var i = 1; i < a.Count; i++)
        {
            // A key is normally a constant or a value read already; one reached from the data is compared whole.
            reads.Whole(a[i]);
        }

        // Every level as Go's index takes it: a map or list the template made (dict, list) may hold the data.
        var item = a.Count > 0 ? a[0] : null;
        for (var i = 1; i < a.Count; i++)
        {
            var key = Values.ForFunction(a[i]);
            if (item is null || TemplateReads.IsScalar(item))
            {
                // Go fails on nil, or indexes a string, which is a value read already.
                return;
            }

            if (Values.IsMap(item) && key is string k)
            {
                item = reads.Key(item, k);
            }
            else if (Values.IsList(item) && key is long n)
            {
                item = reads.Element(item, n);
            }
            else
            {
                // Go fails here.
                reads.Whole(item);
                return;
            }
        }
    }

    /// <summary><c>hasKey MAP KEY</c> (whether the key is there) and <c>isset MAP KEY</c> (whether it holds a value that is not nil).</summary>
    private static void KeyOf(IReadOnlyList<object?> a, TemplateReads reads, bool presence)
    {
        if (a.Count != 2 || a[1] is not string key)
        {
            for (var i = 0; i < a.Count; i++)
            {
                reads.Whole(a[i]);
            }

            return;
        }

        if (presence)
        {
            reads.Has(a[0], key);
        }
        else
        {
            reads.Key(a[0], key);
        }
    }
}
