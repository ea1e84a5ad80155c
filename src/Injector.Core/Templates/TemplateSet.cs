using System.Text.Json.Nodes;
using Injector.Core.Config;
using Injector.Core.Policy;
using Injector.Documents;
using Injector.Templating;

namespace Injector.Core.Templates;

/// <summary>
/// The configured templates, parsed once per configuration snapshot. A template that fails to parse is kept as its
/// error, so only the pods that ask for it are denied.
/// </summary>
public sealed class TemplateSet
{
    public const string TemplatesAnnotation = "inject.istio.io/templates";

    private readonly Dictionary<string, GoTemplate> _parsed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _broken = new(StringComparer.Ordinal);

    /// <summary>Each template's kept outputs by what its renders read of their data: a pod that answers every read alike renders the same text.</summary>
    private readonly Dictionary<string, RenderMemo<TemplateOutput>> _memos = new(StringComparer.Ordinal);

    /// <summary>Rendered text → parsed output; one configuration snapshot's worth, cleared when full.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TemplateOutput> _parsedOutput = new(StringComparer.Ordinal);

    /// <summary>
    /// Rendered outputs kept parsed. Pods of one workload share one entry, so a few dozen cover the workloads rolling
    /// out at once; each entry holds its text and parsed tree (~10x the text), so the bound is also a memory bound.
    /// </summary>
    private const int OutputCacheSize = 64;

    /// <summary>
    /// Only outputs up to this size are kept (a sidecar renders ~12 K characters): pod values reach the output, so
    /// without it unique pods with large annotations could pin hundreds of megabytes.
    /// </summary>
    private const int MaxCachedOutputChars = 32 * 1024;
    private readonly InjectionConfig _config;

    /// <summary>Texts rendered lately: an output is kept when its text comes again, not the first time.</summary>
    private readonly RecentTexts _recent = new();

    /// <summary>Finds a kept output by the rendered text as a span; on a miss, the text as a string.</summary>
    private readonly RenderedText<(TemplateOutput? Kept, string? Text)> _lookUp;

    public TemplateSet(InjectionConfig config, TemplateFunctions functions)
    {
        _config = config;
        var byText = _parsedOutput.GetAlternateLookup<ReadOnlySpan<char>>();
        _lookUp = text => byText.TryGetValue(text, out var kept) ? (kept, null) : (null, text.ToString());
        foreach (var (name, text) in config.Templates)
        {
            try
            {
                _parsed[name] = GoTemplate.Parse(name, text, functions);
                _memos[name] = new RenderMemo<TemplateOutput>();
            }
            catch (TemplateParseException e)
            {
                _broken[name] = e.Message;
            }
        }
    }

    /// <summary>How many rendered outputs are kept parsed (tests).</summary>
    internal int CachedOutputs => _parsedOutput.Count;

    /// <summary>The kept outputs by rendered text (tests: injections must leave them as parsed).</summary>
    internal IEnumerable<KeyValuePair<string, TemplateOutput>> KeptOutputs => _parsedOutput;

    /// <summary>The memo of one template's renders (tests).</summary>
    internal RenderMemo<TemplateOutput> MemoOf(string name) => _memos[name];

    /// <summary>Templates that failed to parse, by name, with the reason.</summary>
    public IReadOnlyDictionary<string, string> Broken => _broken;

    /// <summary>The templates a pod asks for (annotation, else the defaults), aliases expanded, in order.</summary>
    public IReadOnlyList<string> Select(JsonObject? annotations)
    {
        var requested = annotations?[TemplatesAnnotation]?.ToString() is { } list && list.Trim().Length > 0
            ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : _config.DefaultTemplates;
        var names = new List<string>();
        foreach (var name in requested)
        {
            if (_config.Aliases.TryGetValue(name, out var expanded))
            {
                names.AddRange(expanded);
            }
            else
            {
                names.Add(name);
            }
        }

        return names;
    }

    /// <summary>
    /// Renders one template to the pod fragment it describes (read only: it may be shared); throws
    /// <see cref="InjectionException"/> with the reason.
    /// </summary>
    public TemplateOutput Render(string name, object data, CancellationToken ct = default)
    {
        if (_broken.TryGetValue(name, out var parseError))
        {
            throw new InjectionException(DenialReason.TemplateFailed, $"template {name} failed to parse: {parseError}");
        }

        if (!_parsed.TryGetValue(name, out var template))
        {
            var have = string.Join(", ", _parsed.Keys.Order(StringComparer.Ordinal));
            throw new InjectionException(DenialReason.UnknownTemplate, $"requested template \"{name}\" not found; have {have}");
        }

        // Pods that differ only where the template does not look (a pod-template-hash label, an image, most of their
        // annotations) render the same text: a kept render whose every read this pod answers alike gives it at once.
        var memo = _memos[name];
        if (memo.TryFind(data, out var remembered))
        {
            RenderCounters.Add(RenderResult.Memo);
            return remembered;
        }

        // What the render reads is recorded into the thread's recorder, taken while in use.
        TemplateReads? reads = null;
        if (memo.Records)
        {
            reads = t_reads ?? new TemplateReads();
            t_reads = null;
        }

        try
        {
            return Render(name, template, data, memo, reads, ct);
        }
        finally
        {
            if (reads is not null)
            {
                reads.Clear();
                t_reads = reads;
            }
        }
    }

    [ThreadStatic]
    private static TemplateReads? t_reads;

    private TemplateOutput Render(string name, GoTemplate template, object data, RenderMemo<TemplateOutput> memo, TemplateReads? reads, CancellationToken ct)
    {
        // Pods of one workload, and often of many, render the same text: parsing it and merging it alone are kept
        // (bounded) and shared, read only, by the injections that render it. A kept one is found by the text as it
        // was rendered, which becomes a string only when it is new.
        string yaml;
        try
        {
            var (kept, text) = template.Execute(data, ct, _lookUp, reads);
            if (kept is not null)
            {
                RenderCounters.Add(RenderResult.SameText);
                Remember(name, memo, reads, kept);
                return kept;
            }

            yaml = text!;
        }
        catch (TemplateExecutionException e)
        {
            throw new InjectionException(DenialReason.TemplateFailed, $"failed rendering template {name}: {e.Message}", e);
        }

        JsonObject fragment;
        try
        {
            fragment = GoYaml.Parse(yaml) switch
            {
                JsonObject o => o,
                null => [],
                _ => throw new InjectionException(DenialReason.TemplateFailed, $"template {name} did not render a map"),
            };
        }
        catch (YamlFormatException e)
        {
            throw new InjectionException(DenialReason.TemplateFailed, $"template {name} rendered invalid YAML: {e.Message}", e);
        }

        RenderCounters.Add(RenderResult.Parsed);
        if (yaml.Length > MaxCachedOutputChars || !_recent.SeenBefore(yaml))
        {
            return new TemplateOutput(fragment);
        }

        if (_parsedOutput.Count >= OutputCacheSize)
        {
            // The memos hold kept outputs too: they are let go together, so no more than the cache's bound stay alive.
            _parsedOutput.Clear();
            foreach (var kept in _memos.Values)
            {
                kept.Clear();
            }
        }

        var output = new TemplateOutput(fragment, kept: true);
        _parsedOutput[yaml] = output;
        Remember(name, memo, reads, output);
        return output;
    }

    private static void Remember(string name, RenderMemo<TemplateOutput> memo, TemplateReads? reads, TemplateOutput output)
    {
        if (reads is not null && memo.Add(reads, output))
        {
            RenderCounters.Stopped(name);
        }
    }
}
