namespace Injector.Templating;

/// <summary>Go template truth: the zero value of a type is false, everything else true.</summary>
internal static class Truth
{
    public static bool IsTrue(object? v) => v switch
    {
        null or Missing => false,
        bool b => b,
        string s => s.Length > 0,
        long l => l != 0,
        double d => d != 0,
        _ when Values.IsMap(v) => Values.MapCount(v) > 0,
        _ when Values.IsList(v) => Values.AsList(v).Count > 0,
        _ => true,
    };
}
