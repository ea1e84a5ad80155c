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
        .With("annotation", Annotation, AnnotationReads)
        .With("excludeInboundPort", args => ExcludeInboundPort(Arg(args, 0), TemplateValues.Text(Arg(args, 1))))
        .With("includeInboundPorts", args => IncludeInboundPorts(Arg(args, 0)))
        .With("applicationPorts", args => IncludeInboundPorts(Arg(args, 0), skipProxy: true))
        .With("kubevirtInterfaces", args => TemplateValues.Text(Arg(args, 0)))
        .With("excludeInterfaces", args => TemplateValues.Text(Arg(args, 0)))
        .With("valueOrDefault", args => Arg(args, 0) is null or "" ? Arg(args, 1) : Arg(args, 0))
        .With("directory", args => Directory(TemplateValues.Text(Arg(args, 0))))
        .With("toJSON", ToJson)
        .With("toJson", ToJson)
        .With("structToJSON", args => Arg(args, 0) is null ? "{}" : StructJson.Write(TemplateValues.Node(Arg(args, 0))))
        .With("protoToJSON", args => TemplateValues.Map(Arg(args, 0)) is { } pc ? ProxyConfigs.ToDiffJson(pc) : "{}")
        .With("toYaml", args => GoYaml.Write(TemplateValues.Node(Arg(args, 0))))
        .With("indent", args => Indent(Arg(args, 0), TemplateValues.Text(Arg(args, 1))))
        .With("appendMultusNetwork", args => MultusNetworks.Append(TemplateValues.Text(Arg(args, 0)), TemplateValues.Text(Arg(args, 1))))
        .With("env", args => env(TemplateValues.Text(Arg(args, 0))) is { Length: > 0 } value ? value : TemplateValues.Text(Arg(args, 1)), TemplateFunctionReads.Outside)
        .With("otelResourceAttributes", args => args.Count >= 5
            ? OtelAttributes.Compute(TemplateValues.Map(Arg(args, 0)), TemplateValues.Map(Arg(args, 1)), TemplateValues.Map(Arg(args, 2)), TemplateValues.Text(Arg(args, 3)), Arg(args, 4) as JsonArray)
            : OtelAttributes.Compute(TemplateValues.Map(Arg(args, 0)), TemplateValues.Map(Arg(args, 1)), TemplateValues.Map(Arg(args, 2))),
            OtelReads);

    /// <summary>What <c>annotation</c> reads: the meta's <c>annotations</c>, the one key in it, and its default.</summary>
    private static void AnnotationReads(IReadOnlyList<object?> args, TemplateReads reads)
    {
        if (args.Count != 3 || args[0] is not JsonObject meta || args[1] is not string name)
        {
            foreach (var arg in args)
            {
                reads.Whole(arg);
            }

            return;
        }

        // An annotation that is a map or list (not in a valid pod) is written whole.
        reads.Whole(reads.Key(reads.Key(meta, "annotations"), name));
        reads.Whole(args[2]);
    }

    /// <summary>What <c>otelResourceAttributes</c> reads: whether the mesh asks for the attributes; only then the pod's values, whole.</summary>
    private static void OtelReads(IReadOnlyList<object?> args, TemplateReads reads)
    {
        if (reads.Derived(Arg(args, 0), WantsOtel) is true)
        {
            for (var i = 1; i < args.Count; i++)
            {
                reads.Whole(args[i]);
            }
        }
    }

    private static readonly Func<object?, object?> WantsOtel = static mesh => OtelAttributes.Wanted(TemplateValues.Map(mesh));

    private static readonly TemplateFunction DefaultToJson = TemplateFunctions.CreateDefault().Get("toJSON");

    /// <summary>Istio's toJSON: a nil map is <c>{}</c>; anything else is encoding/json's output (views as their JSON).</summary>
    private static object? ToJson(IReadOnlyList<object?> args)
    {
        if (args.Count != 1)
        {
            throw new ArgumentException($"wrong number of args for toJSON: want 1 got {args.Count}");
        }

        return args[0] switch
        {
            null or NilMessage => "{}",
            ProtoView or WrapperView => DefaultToJson([TemplateValues.Node(args[0])]),
            _ => DefaultToJson(args),
        };
    }

    /// <summary>Istio's indent (it replaces sprig's): every line but the first gets SPACES spaces.</summary>
    internal static string Indent(object? spaces, string source)
    {
        var n = spaces switch
        {
            long l => (int)l,
            double d => (int)d,
            _ => int.Parse(TemplateValues.Text(spaces), System.Globalization.CultureInfo.InvariantCulture),
        };
        return source.Replace("\n", "\n" + new string(' ', n), StringComparison.Ordinal);
    }

    /// <summary>Go's path.Split directory part: everything up to and including the last slash.</summary>
    internal static string Directory(string path) => path[..(path.LastIndexOf('/') + 1)];

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
        return annotations is not null && annotations.TryGetPropertyValue(name, out var value) ? TemplateValues.Text(value) : TemplateValues.Sprint(args[2]);
    }

    /// <summary>Adds the status port to the excluded inbound ports unless it is empty, "0" or already listed.</summary>
    internal static string ExcludeInboundPort(object? port, string excluded)
    {
        var p = TemplateValues.Sprint(port).Trim();
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

    /// <summary>The container ports of the given containers, comma-joined; UDP and SCTP ports are skipped (applicationPorts also skips istio-proxy).</summary>
    internal static string IncludeInboundPorts(object? containers, bool skipProxy = false)
    {
        var ports = new List<string>();
        foreach (var container in TemplateValues.Node(containers) as JsonArray ?? [])
        {
            if (skipProxy && container?["name"]?.ToString() == "istio-proxy")
            {
                continue;
            }

            foreach (var port in container?["ports"] as JsonArray ?? [])
            {
                var protocol = port?["protocol"]?.ToString() ?? "";
                if (protocol is not ("UDP" or "SCTP") && port?["containerPort"] is { } cp)
                {
                    ports.Add(cp.ToString());
                }
            }
        }

        return string.Join(',', ports);
    }
}
