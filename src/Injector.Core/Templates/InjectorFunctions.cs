using System.Text.Json.Nodes;
using Injector.Core.Config;
using Injector.Documents;
using Injector.Templating;

namespace Injector.Core.Templates;

/// <summary>
/// The template functions Istio's injector adds that need Kubernetes or mesh knowledge (spec §6.2); the generic
/// sprig and Istio helpers come from <see cref="TemplateFunctions.CreateDefault"/>.
/// </summary>
public static class InjectorFunctions
{
    public static TemplateFunctions Create(Func<string, string?> env) => TemplateFunctions.CreateDefault()
        .With("annotation", Annotation)
        .With("excludeInboundPort", args => ExcludeInboundPort(Arg(args, 0), TemplateValues.Text(Arg(args, 1))))
        .With("includeInboundPorts", args => IncludeInboundPorts(Arg(args, 0)))
        .With("applicationPorts", args => IncludeInboundPorts(Arg(args, 0)))
        .With("kubevirtInterfaces", args => TemplateValues.Text(Arg(args, 0)))
        .With("excludeInterfaces", args => TemplateValues.Text(Arg(args, 0)))
        .With("structToJSON", args => StructJson.Write(TemplateValues.Node(Arg(args, 0))))
        .With("protoToJSON", args => TemplateValues.Map(Arg(args, 0)) is { } pc ? ProxyConfigs.ToDiffJson(pc) : "{}")
        .With("toYaml", args => GoYaml.Write(TemplateValues.Node(Arg(args, 0))).TrimEnd('\n'))
        .With("appendMultusNetwork", args => MultusNetworks.Append(TemplateValues.Text(Arg(args, 0)), TemplateValues.Text(Arg(args, 1))))
        .With("env", args => env(TemplateValues.Text(Arg(args, 0))) ?? TemplateValues.Text(Arg(args, 1)))
        .With("otelResourceAttributes", args => OtelAttributes.Compute(TemplateValues.Map(Arg(args, 0)), TemplateValues.Map(Arg(args, 1)), TemplateValues.Map(Arg(args, 2))));

    private static object? Arg(IReadOnlyList<object?> args, int i) => i < args.Count ? args[i] : null;

    /// <summary><c>annotation META NAME DEFAULT</c>: the annotation when present (even empty), else the default.</summary>
    private static object? Annotation(IReadOnlyList<object?> args)
    {
        if (args.Count != 3)
        {
            throw new ArgumentException($"annotation: want 3 arguments (meta, name, default), got {args.Count}");
        }

        var annotations = TemplateValues.Map(args[0])?["annotations"] as JsonObject;
        var name = TemplateValues.Text(args[1]);
        return annotations is not null && annotations.TryGetPropertyValue(name, out var value) ? TemplateValues.Text(value) : args[2];
    }

    /// <summary>Adds the status port to the excluded inbound ports unless it is empty, "0" or already listed.</summary>
    internal static string ExcludeInboundPort(object? port, string excluded)
    {
        var p = TemplateValues.Text(port).Trim();
        if (p.Length == 0 || p == "0")
        {
            return excluded;
        }

        var ports = excluded.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        if (ports.Contains(p))
        {
            return excluded;
        }

        ports.Add(p);
        return string.Join(',', ports);
    }

    /// <summary>The TCP container ports of the given containers, comma-joined (UDP and SCTP ports are skipped).</summary>
    internal static string IncludeInboundPorts(object? containers)
    {
        var ports = new List<string>();
        foreach (var container in TemplateValues.Node(containers) as JsonArray ?? [])
        {
            foreach (var port in container?["ports"] as JsonArray ?? [])
            {
                var protocol = port?["protocol"]?.ToString() ?? "TCP";
                if (protocol == "TCP" && port?["containerPort"] is { } cp)
                {
                    ports.Add(cp.ToString());
                }
            }
        }

        return string.Join(',', ports);
    }
}
