using System.Text.Json.Nodes;

namespace Injector.Templating.Tests;

internal static class T
{
    public static readonly TemplateFunctions Funcs = TemplateFunctions.CreateDefault();

    public static string Render(string text, object? data = null, TemplateFunctions? funcs = null) =>
        GoTemplate.Parse("t", text, funcs ?? Funcs).Execute(data);

    public static JsonNode? Json(string json) => JsonNode.Parse(json);

    public static string ParseError(string text, TemplateFunctions? funcs = null) =>
        Assert.Throws<TemplateParseException>(() => GoTemplate.Parse("t", text, funcs ?? Funcs)).Message;

    public static string ExecError(string text, object? data = null) =>
        Assert.Throws<TemplateExecutionException>(() => Render(text, data)).Message;
}
