using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Injector.Documents;

namespace Injector.Core.Config;

/// <summary>
/// The effective ProxyConfig of a pod (spec §6.6, kube-inject form): Istio's built-in proxy defaults ← the mesh's
/// <c>defaultConfig</c> ← the pod's <c>proxy.istio.io/config</c> annotation. ProxyConfig CRs are not read.
/// </summary>
public static class ProxyConfigs
{
    /// <summary>Istio's built-in ProxyConfig defaults (mesh.DefaultProxyConfig); PROXY_CONFIG lists only what differs from these.</summary>
    private static readonly JsonObject Defaults = (JsonObject)JsonNode.Parse("""
        {
          "configPath": "./etc/istio/proxy",
          "binaryPath": "/usr/local/bin/envoy",
          "serviceCluster": "istio-proxy",
          "drainDuration": "45s",
          "terminationDrainDuration": "5s",
          "discoveryAddress": "istiod.istio-system.svc:15012",
          "proxyAdminPort": 15000,
          "controlPlaneAuthPolicy": "MUTUAL_TLS",
          "statNameLength": 189,
          "concurrency": 2,
          "statusPort": 15020,
          "interceptionMode": "REDIRECT",
          "tracing": { "zipkin": { "address": "zipkin.istio-system:9411" } }
        }
        """)!;

    /// <summary>ProxyConfig's protobuf field order, which protojson (and so PROXY_CONFIG) follows.</summary>
    private static readonly string[] FieldOrder =
    [
        "configPath", "binaryPath", "serviceCluster", "drainDuration", "parentShutdownDuration", "discoveryAddress",
        "discoveryRefreshDelay", "zipkinAddress", "connectTimeout", "statsdUdpAddress", "envoyMetricsServiceAddress",
        "proxyAdminPort", "availabilityZone", "controlPlaneAuthPolicy", "customConfigFile", "statNameLength", "concurrency",
        "proxyBootstrapTemplatePath", "interceptionMode", "tracing", "sds", "envoyAccessLogService", "envoyMetricsService",
        "proxyMetadata", "statusPort", "extraStatTags", "gatewayTopology", "terminationDrainDuration", "meshId",
        "readinessProbe", "proxyStatsMatcher", "holdApplicationUntilProxyStarts", "caCertificatesPem", "image",
        "privateKeyProvider", "proxyHeaders", "fileFlushInterval", "fileFlushMinSizeKb", "runtimeValues",
    ];

    public const string Annotation = "proxy.istio.io/config";

    /// <summary>The effective ProxyConfig; throws <see cref="FormatException"/> when the annotation does not parse.</summary>
    public static JsonObject Effective(JsonObject mesh, string? annotation)
    {
        var result = (JsonObject)Defaults.DeepClone();
        if (mesh["defaultConfig"] is JsonObject meshDefaults)
        {
            Overlay(result, meshDefaults);
        }

        if (!string.IsNullOrWhiteSpace(annotation))
        {
            Overlay(result, ParseAnnotation(annotation));
        }

        return result;
    }

    /// <summary>Parses and checks a <c>proxy.istio.io/config</c> value (YAML or JSON ProxyConfig).</summary>
    public static JsonObject ParseAnnotation(string text)
    {
        JsonNode? node;
        try
        {
            node = GoYaml.Parse(text, YamlLimits.Annotation);
        }
        catch (YamlFormatException e)
        {
            throw new FormatException(e.Message, e);
        }

        if (node is not JsonObject obj)
        {
            throw new FormatException("want a ProxyConfig map");
        }

        foreach (var (key, value) in obj)
        {
            if (key == "proxyMetadata" && value is not (null or JsonObject))
            {
                throw new FormatException("proxyMetadata must be a map");
            }

            if (key is "concurrency" or "statusPort" or "proxyAdminPort" && value is not null && value.GetValueKind() != JsonValueKind.Number)
            {
                throw new FormatException($"{key} must be a number");
            }
        }

        return obj;
    }

    /// <summary>
    /// PROXY_CONFIG: the protojson of the fields that differ from Istio's defaults, in field order. Written straight
    /// from the effective config (every pod's template calls this; a tree of copies was most of its cost).
    /// </summary>
    public static string ToDiffJson(JsonObject effective)
    {
        ArgumentNullException.ThrowIfNull(effective);
        var writer = DiffWriter.Start();
        try
        {
            writer.WriteStartObject();
            foreach (var key in FieldOrder)
            {
                if (effective.TryGetPropertyValue(key, out var value))
                {
                    WriteDiff(writer, key, value);
                }
            }

            foreach (var (key, value) in effective.Pairs())
            {
                if (Array.IndexOf(FieldOrder, key) < 0)
                {
                    WriteDiff(writer, key, value);
                }
            }

            writer.WriteEndObject();
            return Encoding.UTF8.GetString(DiffWriter.Written);
        }
        finally
        {
            DiffWriter.Finish();
        }
    }

    /// <summary>One writer and buffer per thread for <see cref="ToDiffJson"/>, escaping as <see cref="CompactJson"/> does.</summary>
    private static readonly ThreadJsonWriter DiffWriter = new(new JsonWriterOptions { Encoder = CompactJson.Options.Encoder }, initialBytes: 1024, maxKeptBytes: 64 * 1024);

    /// <summary>One field of the diff, unless it is Istio's default; protojson writes map entries sorted by key.</summary>
    private static void WriteDiff(Utf8JsonWriter writer, string key, JsonNode? value)
    {
        if (Defaults.TryGetPropertyValue(key, out var def) && JsonNode.DeepEquals(def, value))
        {
            return;
        }

        writer.WritePropertyName(key);
        if (key == "proxyMetadata" && value is JsonObject meta)
        {
            writer.WriteStartObject();
            foreach (var (name, entry) in meta.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                writer.WritePropertyName(name);
                WriteValue(writer, entry);
            }

            writer.WriteEndObject();
        }
        else
        {
            WriteValue(writer, value);
        }
    }

    private static void WriteValue(Utf8JsonWriter writer, JsonNode? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            value.WriteTo(writer, CompactJson.Options);
        }
    }

    /// <summary>Top-level fields replace; proxyMetadata merges by key (the annotation adds to the mesh's metadata).</summary>
    private static void Overlay(JsonObject target, JsonObject overlay)
    {
        foreach (var (key, value) in overlay)
        {
            if (key == "proxyMetadata" && value is JsonObject meta && target[key] is JsonObject existing)
            {
                var merged = (JsonObject)existing.DeepClone();
                foreach (var (k, v) in meta)
                {
                    merged[k] = v?.DeepClone();
                }

                target[key] = merged;
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }
}

/// <summary>Compact JSON as Go's encoding/json writes it: no spaces, no HTML escaping of &lt;, &gt;, &amp;.</summary>
public static class CompactJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    public static string Write(JsonNode? node) => node?.ToJsonString(Options) ?? "null";

    public static string Quote(string s) => JsonValue.Create(s).ToJsonString(Options);

    public static byte[] Utf8(JsonNode node) => Encoding.UTF8.GetBytes(Write(node));
}
