using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Injector.Core;
using Injector.Core.Config;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Injector.Webhook.Tests;

/// <summary>
/// <c>serve --config-dir</c>: the real server over TLS, the real injector and a ConfigMap-shaped volume whose
/// <c>..data</c> symlink is swapped the way the kubelet does it.
/// </summary>
public sealed class ConfigReloadTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Changed_values_take_effect_without_a_restart_and_no_request_fails()
    {
        using var volume = new KubeletVolume();
        volume.Publish(Files(image: "proxy-one"));
        var logs = new CapturingLoggerProvider();
        await using var server = await StartAsync(volume, logs);
        using var client = server.Client();

        Assert.Contains("/proxy-one:", await InjectedPatch(client, "before"));

        volume.Publish(Files(image: "proxy-two"));
        var (patch, requests) = await PatchUntil(client, "/proxy-two:");

        Assert.Contains("/proxy-two:", patch);
        Assert.DoesNotContain("/proxy-one:", patch);
        Assert.InRange(requests, 1, 1000);
        var source = Source(server);
        Assert.Equal(2, source.Generation);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("configuration #2 in force", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_template_that_fails_to_parse_is_refused_the_previous_config_serves_and_a_fix_applies()
    {
        using var volume = new KubeletVolume();
        volume.Publish(Files(image: "proxy-one"));
        var logs = new CapturingLoggerProvider();
        await using var server = await StartAsync(volume, logs);
        using var client = server.Client();
        var source = Source(server);
        var first = source.Current;

        // A broken sidecar template together with a new image: none of it may take effect.
        volume.Publish(Files(image: "proxy-two", config: "templates:\n  sidecar: \"{{ .Foo \"\n"));
        var refused = await LogUntil(logs, e => e.Level == LogLevel.Error && e.EventId.Id == 21);

        Assert.NotNull(refused);
        Assert.Contains("template sidecar", refused.Message, StringComparison.Ordinal);
        Assert.Contains("previous configuration stays in force", refused.Message, StringComparison.Ordinal);
        Assert.Same(first, source.Current);
        Assert.Equal(1, source.Generation);
        for (var i = 0; i < 5; i++)
        {
            Assert.Contains("/proxy-one:", await InjectedPatch(client, $"during-{i}"));
        }

        using (var ready = await client.GetAsync("/readyz", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        // The fix: a config without the broken template.
        volume.Publish(Files(image: "proxy-two"));
        var (patch, _) = await PatchUntil(client, "/proxy-two:");

        Assert.Contains("/proxy-two:", patch);
        Assert.Equal(2, source.Generation);
        Assert.Single(logs.Entries, e => e.EventId.Id == 21);
    }

    [Fact]
    public void Bad_yaml_values_are_refused_naming_the_file_and_retried_only_when_the_bytes_change()
    {
        using var volume = new KubeletVolume();
        volume.Publish(Files(image: "proxy-one"));
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        using var source = new ReloadingInjectorSource(new ConfigSources(ConfigDir: volume.Root), Poll, factory.CreateLogger<ReloadingInjectorSource>());
        var first = source.Current;

        Assert.False(source.TryReload());
        Assert.Same(first, source.Current);

        volume.Publish(Files(image: "proxy-one", values: "global:\n  proxy: [unclosed\n"));
        Assert.False(source.TryReload());
        Assert.False(source.TryReload());

        Assert.Same(first, source.Current);
        var refused = Assert.Single(logs.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains(Path.Combine(volume.Root, "values"), refused.Message, StringComparison.Ordinal);

        volume.Publish(Files(image: "proxy-three"));
        Assert.True(source.TryReload());
        Assert.NotSame(first, source.Current);
        Assert.Equal(2, source.Generation);
        Assert.Equal("proxy-three", ((PodInjector)source.Current).Settings.Values["global"]!["proxy"]!["image"]!.GetValue<string>());
    }

    [Fact]
    public void A_values_document_that_is_not_a_map_is_refused()
    {
        using var volume = new KubeletVolume();
        volume.Publish(Files(image: "proxy-one"));
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        using var source = new ReloadingInjectorSource(new ConfigSources(ConfigDir: volume.Root), Poll, factory.CreateLogger<ReloadingInjectorSource>());

        volume.Publish(Files(image: "proxy-one", values: "- just\n- a list\n"));

        Assert.False(source.TryReload());
        Assert.Equal(1, source.Generation);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("want a map", StringComparison.Ordinal));
    }

    public static TheoryData<string, string, string> HostileConfigs() => new()
    {
        { "values", "a0: &a0 [lol]\n" + string.Concat(Enumerable.Range(1, 8).Select(i => $"a{i}: &a{i} [{string.Join(",", Enumerable.Repeat($"*a{i - 1}", 10))}]\n")), "excessive aliasing" },
        { "mesh", "defaultConfig: " + new string('[', 50_000) + new string(']', 50_000) + "\n", "nests deeper than the limit of 64 levels" },
        { "mesh", "defaultConfig: " + string.Concat(Enumerable.Repeat("{a: ", 20_000)) + "1" + new string('}', 20_000) + "\n", "nests deeper than the limit of 64 levels" },
        { "config", new string('#', 9 * 1024 * 1024), "more than the limit of 8388608 bytes" },
    };

    [Theory]
    [MemberData(nameof(HostileConfigs))]
    public void A_hostile_config_map_key_is_refused_quickly_and_the_previous_config_stays(string key, string text, string expected)
    {
        using var volume = new KubeletVolume();
        volume.Publish(Files(image: "proxy-one"));
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        using var source = new ReloadingInjectorSource(new ConfigSources(ConfigDir: volume.Root), Poll, factory.CreateLogger<ReloadingInjectorSource>());
        var first = source.Current;
        var files = Files(image: "proxy-two");
        files[key] = text;
        volume.Publish(files);
        var watch = Stopwatch.StartNew();

        Assert.False(source.TryReload());

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        Assert.Same(first, source.Current);
        var refused = Assert.Single(logs.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains(Path.Combine(volume.Root, key), refused.Message, StringComparison.Ordinal);
        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_and_unreadable_files_are_named()
    {
        var missing = Assert.Throws<ConfigException>(() => ConfigFiles.Read(new ConfigSources(ValuesFile: "/nonexistent/iop.yaml")));
        Assert.Contains("/nonexistent/iop.yaml", missing.Message, StringComparison.Ordinal);
        var folder = Assert.Throws<ConfigException>(() => ConfigFiles.Read(new ConfigSources(MeshFile: Path.GetTempPath())));
        Assert.Contains("is a directory, want a file", folder.Message, StringComparison.Ordinal);
        var noDir = Assert.Throws<ConfigException>(() => ConfigFiles.Read(new ConfigSources(ConfigDir: "/nonexistent/dir")));
        Assert.Equal("--config-dir /nonexistent/dir: no such directory", noDir.Message);
    }

    [Theory]
    [InlineData("config", "templates:\n  sidecar: \"{{ .Foo \"\n", "template sidecar: ")]
    [InlineData("mesh", "DEEP", "nests deeper than the limit of 64 levels")]
    public void A_bad_first_config_is_a_ConfigException_naming_the_problem_not_a_crash(string key, string text, string expected)
    {
        using var volume = new KubeletVolume();
        var files = Files(image: "proxy-one");
        files[key] = text == "DEEP" ? "defaultConfig: " + new string('[', 50_000) + new string(']', 50_000) + "\n" : text;
        volume.Publish(files);
        using var factory = LoggerFactory.Create(_ => { });

        var e = Assert.Throws<ConfigException>(() =>
            new ReloadingInjectorSource(new ConfigSources(ConfigDir: volume.Root), Poll, factory.CreateLogger<ReloadingInjectorSource>()));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Flags_still_apply_over_the_reloaded_dir()
    {
        using var volume = new KubeletVolume();
        volume.Publish(Files(image: "proxy-one"));
        using var factory = LoggerFactory.Create(_ => { });
        var sources = new ConfigSources(ConfigDir: volume.Root, Sets: ["values.global.tag=pinned"]);
        using var source = new ReloadingInjectorSource(sources, Poll, factory.CreateLogger<ReloadingInjectorSource>());

        volume.Publish(Files(image: "proxy-two"));
        Assert.True(source.TryReload());

        var values = ((PodInjector)source.Current).Settings.Values;
        Assert.Equal("proxy-two", values["global"]!["proxy"]!["image"]!.GetValue<string>());
        Assert.Equal("pinned", values["global"]!["tag"]!.GetValue<string>());
    }

    private static Dictionary<string, string> Files(string image, string? config = null, string? values = null) => new()
    {
        ["config"] = config ?? "templates: {}\n",
        ["values"] = values ?? Values(image),
        ["mesh"] = "trustDomain: cluster.local\n",
    };

    /// <summary>A complete values document, as a ConfigMap holds it (it replaces the embedded values), with the proxy image set.</summary>
    private static string Values(string image)
    {
        var values = (JsonObject)SettingsLoader.Defaults().Values.DeepClone();
        values["global"]!["proxy"]!["image"] = image;
        return values.ToJsonString();
    }

    [Fact]
    public async Task Values_that_render_an_invalid_pod_are_denied_not_sent()
    {
        // An incomplete values document: the template renders "<no value>" where booleans and numbers belong.
        using var volume = new KubeletVolume();
        volume.Publish(Files(image: "proxy-one", values: "global:\n  proxy:\n    image: proxy-one\n"));
        await using var server = await StartAsync(volume, new CapturingLoggerProvider());
        using var client = server.Client();

        using var response = await client.PostAsync("/inject", Reviews.Json(Reviews.Pod(uid: "incomplete")), Ct);

        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["response"]!;
        Assert.False(answer["allowed"]!.GetValue<bool>());
        Assert.StartsWith("injecting would produce an invalid pod: ", answer["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static Task<RunningServer> StartAsync(KubeletVolume volume, ILoggerProvider logs) =>
        RunningServer.StartAsync(
            services => new ReloadingInjectorSource(
                new ConfigSources(ConfigDir: volume.Root),
                Poll,
                services.GetRequiredService<ILogger<ReloadingInjectorSource>>()),
            logging: logs);

    private static ReloadingInjectorSource Source(RunningServer server) =>
        Assert.IsType<ReloadingInjectorSource>(server.App.Services.GetRequiredService<IPodInjectorSource>());

    /// <summary>Posts a pod review; asserts it was admitted with a patch and returns the decoded patch text.</summary>
    private static async Task<string> InjectedPatch(HttpClient client, string uid)
    {
        using var response = await client.PostAsync("/inject", Reviews.Json(Reviews.Pod(uid: uid)), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var review = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(uid, review["response"]!["uid"]!.GetValue<string>());
        Assert.True(review["response"]!["allowed"]!.GetValue<bool>(), review.ToJsonString());
        var patch = review["response"]!["patch"]?.GetValue<string>();
        Assert.NotNull(patch);
        return Encoding.UTF8.GetString(Convert.FromBase64String(patch));
    }

    /// <summary>Keeps injecting (bounded in time and count) until the patch contains <paramref name="wanted"/>; every request must succeed.</summary>
    private static async Task<(string Patch, int Requests)> PatchUntil(HttpClient client, string wanted)
    {
        var clock = Stopwatch.StartNew();
        var requests = 0;
        var patch = "";
        while (clock.Elapsed < Patience && requests < 1000)
        {
            patch = await InjectedPatch(client, $"poll-{requests++}");
            if (patch.Contains(wanted, StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(20, Ct);
        }

        return (patch, requests);
    }

    private static async Task<LogEntry?> LogUntil(CapturingLoggerProvider logs, Func<LogEntry, bool> match)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Patience)
        {
            if (logs.Entries.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            await Task.Delay(50, Ct);
        }

        return null;
    }
}

internal sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

/// <summary>Keeps every log entry in memory so tests can assert on them.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception));
        }
    }
}
