using System.Globalization;

namespace Injector.Fuzz;

/// <summary>The command line. Every loop the fuzzer runs is bounded by <see cref="Requests"/> and <see cref="DurationSeconds"/>.</summary>
internal sealed record FuzzOptions
{
    public const string Usage = """
        usage: Injector.Fuzz [options]
          --requests N       HTTP requests to send in all, calibration included (default 2000)
          --duration S       hard time limit in seconds (default 300)
          --concurrency C    requests in flight at once (default 4, at most 64)
          --seed S           seed of the mutation RNG (default 1); case N of a seed is always the same request
          --server DIR       folder of the built server (injector.dll); copied to a temp folder and run from there
                             (default: src/Injector/bin/Release/net10.0 of this repository)
          --corpus DIR       Istio corpus root (default: $INJECTOR_ISTIO_CORPUS, else ../shared/istio-corpus beside the repository)
          --only N           after calibration, send only case N (to reproduce one finding)
          --mutations A,B    only these mutation families (as the summary names them, e.g. huge-string,many-env)
          --json FILE        also write the summary as JSON
          --dump DIR         with --only: write that case's request and response bodies into DIR
        exit: 0 no findings, 1 findings, 2 usage or setup error
        """;

    public int Requests { get; init; } = 2000;

    public int DurationSeconds { get; init; } = 300;

    public int Concurrency { get; init; } = 4;

    public int Seed { get; init; } = 1;

    public string? ServerDir { get; init; }

    public string? CorpusDir { get; init; }

    public int? OnlyCase { get; init; }

    /// <summary>Mutation families to draw from; null for all.</summary>
    public IReadOnlySet<string>? Mutations { get; init; }

    public string? JsonFile { get; init; }

    public string? DumpDir { get; init; }

    public bool Help { get; init; }

    /// <summary>Parses <paramref name="args"/>; null with <paramref name="error"/> set when they are not usable.</summary>
    public static FuzzOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var options = new FuzzOptions();
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                return options with { Help = true };
            }

            if (i + 1 >= args.Count)
            {
                error = $"{name}: missing value";
                return null;
            }

            var value = args[++i];
            switch (name)
            {
                case "--requests" when Int(value, 1, 10_000_000) is { } n:
                    options = options with { Requests = n };
                    break;
                case "--duration" when Int(value, 1, 86_400) is { } s:
                    options = options with { DurationSeconds = s };
                    break;
                case "--concurrency" when Int(value, 1, 64) is { } c:
                    options = options with { Concurrency = c };
                    break;
                case "--seed" when Int(value, int.MinValue, int.MaxValue) is { } seed:
                    options = options with { Seed = seed };
                    break;
                case "--only" when Int(value, 0, int.MaxValue) is { } only:
                    options = options with { OnlyCase = only };
                    break;
                case "--server":
                    options = options with { ServerDir = value };
                    break;
                case "--corpus":
                    options = options with { CorpusDir = value };
                    break;
                case "--json":
                    options = options with { JsonFile = value };
                    break;
                case "--dump":
                    options = options with { DumpDir = value };
                    break;
                case "--mutations":
                    options = options with { Mutations = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal) };
                    break;
                default:
                    error = $"{name} {value}: unknown option or bad value";
                    return null;
            }
        }

        if (options.DumpDir is not null && options.OnlyCase is null)
        {
            error = "--dump needs --only";
            return null;
        }

        return options;
    }

    private static int? Int(string text, int min, int max) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max ? n : null;
}
