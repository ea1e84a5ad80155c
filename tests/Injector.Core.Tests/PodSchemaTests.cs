using System.Text.Json;
using System.Text.Json.Nodes;
using Injector.Core.Kube;

namespace Injector.Core.Tests;

/// <summary>
/// The embedded Pod schema (<c>src/Injector.Core/Kube/pod-schema.json</c>) is derived from the Kubernetes Go types in
/// <c>../shared/k8s/pod-go-fields.json</c>; this test regenerates it and fails when they differ
/// (<c>INJECTOR_UPDATE_GOLDEN=1</c> rewrites the file).
/// </summary>
public sealed class PodSchemaTests
{
    [Fact]
    public void The_embedded_schema_is_derived_from_the_Kubernetes_Go_types()
    {
        var facts = SharedFile("k8s", "pod-go-fields.json");
        if (facts is null)
        {
            Assert.True(Environment.GetEnvironmentVariable("CI") != "true", "../shared/k8s/pod-go-fields.json is missing under CI");
            return;
        }

        var generated = Generate(JsonNode.Parse(File.ReadAllText(facts))!["types"]!.AsObject());
        var path = Path.Combine(RepoRoot(), "src", "Injector.Core", "Kube", "pod-schema.json");
        if (Environment.GetEnvironmentVariable("INJECTOR_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, generated);
        }

        Assert.Equal(generated, File.ReadAllText(path));
    }

    [Fact]
    public void The_schema_knows_the_fields_the_injector_reads()
    {
        Assert.Equal("[]Container", PodSchema.FieldType("PodSpec", "containers"));
        Assert.Equal("IntOrString", PodSchema.FieldType("HTTPGetAction", "port"));
        Assert.Equal("map:Quantity", PodSchema.FieldType("ResourceRequirements", "limits"));
        Assert.Equal("EmptyDirVolumeSource", PodSchema.FieldType("Volume", "emptyDir"));
        Assert.Equal("string", PodSchema.FieldType("Pod", "kind"));
        Assert.Null(PodSchema.FieldType("Pod", "unknownField"));
        Assert.Equal(new GoField("int32", Pointer: false, OmitEmpty: true), PodSchema.Field("Probe", "initialDelaySeconds"));
        Assert.Equal(new GoField("int64", Pointer: true, OmitEmpty: true), PodSchema.Field("SecurityContext", "runAsUser"));
        Assert.Equal(new GoField("Quantity", Pointer: false, OmitEmpty: false), PodSchema.Field("ResourceFieldSelector", "divisor"));
        Assert.Equal(new GoField("ResourceRequirements", Pointer: false, OmitEmpty: false), PodSchema.Field("Container", "resources"));
        Assert.Equal(["name", "resources"], PodSchema.AlwaysWritten("Container"));
    }

    [Fact]
    public void Type_tokens_read_into_kinds_elements_and_fields()
    {
        var pod = PodSchema.TypeOf("Pod");
        Assert.Equal(GoKind.Struct, pod.Kind);
        var containers = PodSchema.TypeOf("PodSpec").Fields!["containers"];
        Assert.Equal((GoKind.List, "Container"), (containers.Kind, containers.Element!.Token));
        Assert.Same(PodSchema.TypeOf("Container"), containers.Element);
        var limits = PodSchema.TypeOf("ResourceRequirements").Fields!["limits"];
        Assert.Equal((GoKind.Map, GoKind.Quantity), (limits.Kind, limits.Element!.Kind));
        Assert.Equal(GoKind.IntOrString, PodSchema.TypeOf("HTTPGetAction").Fields!["port"].Kind);
        Assert.Equal(GoKind.Time, PodSchema.TypeOf("ObjectMeta").Fields!["creationTimestamp"].Kind);
        Assert.Equal(GoKind.FieldsV1, PodSchema.TypeOf("FieldsV1").Kind);

        // Every struct and every key of the schema: the field types PodSchema.Field gives, each of the kind its token
        // names (the rules the walks used to apply to the token's text).
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoRoot(), "src", "Injector.Core", "Kube", "pod-schema.json")))!.AsObject();
        Assert.True(schema.Count > 100);
        foreach (var (name, _) in schema)
        {
            var type = PodSchema.TypeOf(name);
            Assert.Equal(GoKind.Struct, type.Kind);
            Assert.Equal(PodSchema.Keys(name), type.Fields!.Keys);
            foreach (var (key, field) in type.Fields)
            {
                Assert.Equal(PodSchema.FieldType(name, key), field.Token);
                var goField = PodSchema.Field(name, key)!;
                Assert.Equal(!goField.Pointer && KindByText(field.Token) == GoKind.Struct, goField.IsStruct);
                for (var t = field; t is not null; t = t.Element)
                {
                    Assert.Equal(KindByText(t.Token), t.Kind);
                    Assert.Equal(t.Kind is GoKind.List or GoKind.Map, t.Element is not null);
                }
            }
        }

        // A token outside the schema is read afresh each time, its known parts shared: a struct it does not know has no fields.
        var other = PodSchema.TypeOf("[]NotAKubernetesType");
        Assert.NotSame(other, PodSchema.TypeOf("[]NotAKubernetesType"));
        Assert.Equal((GoKind.List, GoKind.Struct, 0), (other.Kind, other.Element!.Kind, other.Element.Fields!.Count));
        Assert.Same(PodSchema.TypeOf("Container"), PodSchema.TypeOf("map:Container").Element);
    }

    private static GoKind KindByText(string token) =>
        token.StartsWith("[]", StringComparison.Ordinal) ? GoKind.List
        : token.StartsWith("map:", StringComparison.Ordinal) ? GoKind.Map
        : token switch
        {
            "string" => GoKind.String,
            "bool" => GoKind.Bool,
            "int32" => GoKind.Int32,
            "int64" => GoKind.Int64,
            "IntOrString" => GoKind.IntOrString,
            "Quantity" => GoKind.Quantity,
            "Time" => GoKind.Time,
            "FieldsV1" => GoKind.FieldsV1,
            _ => GoKind.Struct,
        };

    /// <summary>
    /// Struct → JSON key → type token: string, bool, int32, int64, Quantity, Time, IntOrString, FieldsV1, a struct name,
    /// []T or map:T; <c>*</c> before a pointer, <c>,omitempty</c> after a key Go leaves out at its zero value.
    /// </summary>
    private static string Generate(JsonObject types)
    {
        var schema = new JsonObject();
        foreach (var (name, fields) in types)
        {
            var shape = new JsonObject();
            AddFields(types, fields!.AsArray(), shape);
            schema[name] = shape;
        }

        return schema.ToJsonString(new JsonSerializerOptions { WriteIndented = true }).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }

    private static void AddFields(JsonObject types, JsonArray fields, JsonObject shape)
    {
        foreach (var field in fields)
        {
            if (field!["inline"]!.GetValue<bool>() || field["json"] is null)
            {
                AddFields(types, types[field["ref"]!.GetValue<string>()]!.AsArray(), shape);
                continue;
            }

            var pointer = field["kind"]!.GetValue<string>() == "pointer" ? "*" : "";
            var omitted = field["omittedWhenZero"]?.GetValue<bool>() == true ? ",omitempty" : "";
            shape[field["json"]!.GetValue<string>()] = pointer + Token(field) + omitted;
        }
    }

    private static string Token(JsonNode field)
    {
        string? S(string key) => field[key]?.GetValue<string>();
        return S("kind") switch
        {
            "scalar" => S("basic")!,
            "special" => Special(S("special")!),
            "struct" => S("ref")!,
            "pointer" => S("elemKind") switch
            {
                "scalar" => S("elemBasic")!,
                "special" => Special(S("special")!),
                _ => S("ref") ?? S("elem")!,
            },
            "slice" => "[]" + Element(field),
            "map" => "map:" + Element(field),
            var other => throw new InvalidOperationException($"unknown kind {other}"),
        };
    }

    private static string Element(JsonNode field) => field["elemKind"]!.GetValue<string>() switch
    {
        "scalar" => field["elemBasic"]!.GetValue<string>(),
        "special" => Special(field["special"]!.GetValue<string>()),
        _ => field["ref"]!.GetValue<string>(),
    };

    private static string Special(string goName) => goName switch
    {
        "resource.Quantity" => "Quantity",
        "metav1.Time" => "Time",
        "intstr.IntOrString" => "IntOrString",
        "metav1.FieldsV1" => "FieldsV1",
        _ => throw new InvalidOperationException($"unknown special type {goName}"),
    };

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Injector.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found");
    }

    private static string? SharedFile(params string[] parts)
    {
        var path = Path.Combine([RepoRoot(), "..", "shared", .. parts]);
        return File.Exists(path) ? path : null;
    }
}
