namespace Injector.Core.Config;

/// <summary>Istio's revision names: <c>default</c>, or a DNS label that becomes part of Service and ConfigMap names (<c>istiod-canary</c>).</summary>
public static class RevisionName
{
    /// <summary>The revision of an install that names none.</summary>
    public const string Default = "default";

    /// <summary>A DNS-1123 label: lower-case letters, digits and '-', starting and ending alphanumeric, at most 63 characters.</summary>
    public static bool IsValid(string name) =>
        name.Length is > 0 and <= 63
        && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
        && name[0] != '-' && name[^1] != '-';
}
