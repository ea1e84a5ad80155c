namespace Injector.Core.Templates;

/// <summary>
/// The protobuf messages templates reach through <c>.ProxyConfig</c> and <c>.MeshConfig</c> (istio.io/api mesh/v1alpha1),
/// field by Go name. Written as "GoName kind" entries: <c>s</c> string, <c>i</c> integer, <c>b</c> bool, <c>d</c> double,
/// <c>e:ZERO</c> enum (name of value 0), <c>w:K</c> wrapper of kind K, <c>m:Type</c> message, <c>M</c> map, <c>l</c> list,
/// <c>L:Type</c> list of messages, <c>t</c> duration, <c>x</c> anything (kept as JSON). Generous rather than exact:
/// deprecated and newer fields are listed too, and a field present in the JSON always reads.
/// </summary>
internal static class ProtoSchemas
{
    private static readonly Dictionary<string, ProtoSchema> All = new(StringComparer.Ordinal)
    {
        ["ProxyConfig"] = Define("*v1alpha1.ProxyConfig", """
            ConfigPath s, BinaryPath s, ServiceCluster s, TracingServiceName e:APP_LABEL_AND_NAMESPACE, DrainDuration t,
            ParentShutdownDuration t, DiscoveryAddress s, DiscoveryRefreshDelay t, ZipkinAddress s, StatsdUdpAddress s,
            EnvoyMetricsServiceAddress s, ProxyAdminPort i, AvailabilityZone s, ControlPlaneAuthPolicy e:NONE,
            CustomConfigFile s, StatNameLength i, Concurrency w:i, ProxyBootstrapTemplatePath s, InterceptionMode e:REDIRECT,
            Tracing m:Tracing, Sds m:SDS, EnvoyAccessLogService m:RemoteService, EnvoyMetricsService m:RemoteService,
            ProxyMetadata M, StatusPort i, ExtraStatTags l, GatewayTopology m:Topology, TerminationDrainDuration t, MeshId s,
            ReadinessProbe x, ProxyStatsMatcher m:ProxyStatsMatcher, HoldApplicationUntilProxyStarts w:b, CaCertificatesPem l,
            Image m:ProxyImage, PrivateKeyProvider x, ProxyHeaders x, FileFlushInterval t, FileFlushMinSizeKb w:i,
            RuntimeValues M, ConnectTimeout t, ServiceClusterName s
            """),
        ["Tracing"] = Define("*v1alpha1.Tracing", """
            Zipkin m:Tracing_Zipkin, Lightstep m:Tracing_Lightstep, Datadog m:Tracing_Datadog, Stackdriver m:Tracing_Stackdriver,
            OpenCensusAgent m:Tracing_OpenCensusAgent, CustomTags M, MaxPathTagLength w:i, Sampling d,
            TlsSettings m:ClientTLSSettings, EnableIstioTags w:b
            """),
        ["Tracing_Zipkin"] = Define("*v1alpha1.Tracing_Zipkin", "Address s, Enable_64BitTraceId b"),
        ["Tracing_Lightstep"] = Define("*v1alpha1.Tracing_Lightstep", "Address s, AccessToken s"),
        ["Tracing_Datadog"] = Define("*v1alpha1.Tracing_Datadog", "Address s"),
        ["Tracing_Stackdriver"] = Define("*v1alpha1.Tracing_Stackdriver", """
            Debug b, MaxNumberOfAttributes w:i, MaxNumberOfAnnotations w:i, MaxNumberOfMessageEvents w:i
            """),
        ["Tracing_OpenCensusAgent"] = Define("*v1alpha1.Tracing_OpenCensusAgent", "Address s, Context l"),
        ["ClientTLSSettings"] = Define("*v1alpha3.ClientTLSSettings", """
            Mode e:DISABLE, ClientCertificate s, PrivateKey s, CaCertificates s, CredentialName s, SubjectAltNames l, Sni s,
            InsecureSkipVerify w:b, CaCrl s
            """),
        ["SDS"] = Define("*v1alpha1.SDS", "Enabled b, K8SSaJwtPath s"),
        ["RemoteService"] = Define("*v1alpha1.RemoteService", "Address s, TlsSettings m:ClientTLSSettings, TcpKeepalive x"),
        ["Topology"] = Define("*v1alpha1.Topology", """
            NumTrustedProxies i, ForwardClientCertDetails e:UNDEFINED, ProxyProtocol x
            """),
        ["ProxyStatsMatcher"] = Define("*v1alpha1.ProxyStatsMatcher", "InclusionPrefixes l, InclusionSuffixes l, InclusionRegexps l"),
        ["ProxyImage"] = Define("*v1beta1.ProxyImage", "ImageType s"),
        ["MeshConfig"] = Define("*v1alpha1.MeshConfig", """
            ProxyListenPort i, ProxyInboundListenPort i, ProxyHttpPort i, ConnectTimeout t, ProtocolDetectionTimeout t,
            TcpKeepalive x, IngressClass s, IngressService s, IngressControllerMode e:UNSPECIFIED, IngressSelector s,
            EnableTracing b, AccessLogFile s, AccessLogFormat s, AccessLogEncoding e:TEXT, EnableEnvoyAccessLogService b,
            DisableEnvoyListenerLog b, DefaultConfig m:ProxyConfig, OutboundTrafficPolicy m:MeshConfig_OutboundTrafficPolicy,
            InboundTrafficPolicy m:MeshConfig_InboundTrafficPolicy, ConfigSources L:ConfigSource, EnableAutoMtls w:b,
            TrustDomain s, TrustDomainAliases l, DefaultServiceExportTo l, DefaultVirtualServiceExportTo l,
            DefaultDestinationRuleExportTo l, RootNamespace s, LocalityLbSetting x, DnsRefreshRate t,
            H2UpgradePolicy e:DO_NOT_UPGRADE, InboundClusterStatName s, OutboundClusterStatName s, Certificates L:Certificate,
            ThriftConfig x, ServiceSettings L:MeshConfig_ServiceSettings, EnablePrometheusMerge w:b,
            VerifyCertificateAtClient w:b, Ca x, ExtensionProviders L:MeshConfig_ExtensionProvider,
            DefaultProviders m:MeshConfig_DefaultProviders, DiscoverySelectors L:LabelSelector, PathNormalization x,
            DefaultHttpRetryPolicy x, MeshMTLS x, TlsDefaults x, ServiceScopeConfigs L:MeshConfig_ServiceScopeConfigs
            """),
        ["MeshConfig_OutboundTrafficPolicy"] = Define("*v1alpha1.MeshConfig_OutboundTrafficPolicy", "Mode e:REGISTRY_ONLY, EgressProxy x"),
        ["MeshConfig_InboundTrafficPolicy"] = Define("*v1alpha1.MeshConfig_InboundTrafficPolicy", "Mode e:PASSTHROUGH"),
        ["MeshConfig_DefaultProviders"] = Define("*v1alpha1.MeshConfig_DefaultProviders", "Tracing l, Metrics l, AccessLogging l"),
    };

    public static ProtoSchema? Find(string name) => All.GetValueOrDefault(name);

    private static ProtoSchema Define(string goType, string fields)
    {
        var map = new Dictionary<string, ProtoField>(StringComparer.Ordinal);
        foreach (var entry in fields.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var goName = parts[0];
            var spec = parts[1];
            var arg = spec.Length > 2 && spec[1] == ':' ? spec[2..] : null;
            var jsonName = goName == "Enable_64BitTraceId" ? "enable64bitTraceId" : ProtoView.CamelCase(goName);
            map[goName] = spec[0] switch
            {
                's' => new ProtoField(jsonName, ProtoKind.String),
                'i' => new ProtoField(jsonName, ProtoKind.Int),
                'b' => new ProtoField(jsonName, ProtoKind.Bool),
                'd' => new ProtoField(jsonName, ProtoKind.Double),
                'e' => new ProtoField(jsonName, ProtoKind.Enum, EnumZero: arg),
                'w' => new ProtoField(jsonName, ProtoKind.Wrapper, WrappedKind: arg switch
                {
                    "b" => ProtoKind.Bool,
                    "d" => ProtoKind.Double,
                    "s" => ProtoKind.String,
                    _ => ProtoKind.Int,
                }),
                'm' => new ProtoField(jsonName, ProtoKind.Message, MessageType: arg),
                'M' => new ProtoField(jsonName, ProtoKind.Map),
                'l' => new ProtoField(jsonName, ProtoKind.List),
                'L' => new ProtoField(jsonName, ProtoKind.MessageList, MessageType: arg),
                't' => new ProtoField(jsonName, ProtoKind.Duration),
                _ => new ProtoField(jsonName, ProtoKind.Any),
            };
        }

        return new ProtoSchema(goType, map);
    }
}
