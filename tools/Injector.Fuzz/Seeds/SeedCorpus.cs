using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;

namespace Injector.Fuzz.Seeds;

/// <summary>The seed pods: every workload of the Istio corpus's <c>testdata/inject</c> inputs, plus the synthetic ones.</summary>
internal static class SeedCorpus
{
    /// <summary>Loads the corpus folder; files that are outputs, Istio settings or do not parse are skipped (and counted).</summary>
    public static (IReadOnlyList<Seed> Seeds, int FilesRead, int FilesSkipped) Load(string injectDir)
    {
        if (!Directory.Exists(injectDir))
        {
            throw new SetupException($"no Istio corpus at {injectDir} (set INJECTOR_ISTIO_CORPUS or --corpus)");
        }

        var seeds = new List<Seed>();
        int read = 0, skipped = 0;
        foreach (var file in Directory.EnumerateFiles(injectDir, "*.yaml").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            if (name.EndsWith(".iop.yaml", StringComparison.Ordinal) || name.EndsWith(".mesh.yaml", StringComparison.Ordinal))
            {
                skipped++;
                continue;
            }

            IReadOnlyList<JsonObject> pods;
            try
            {
                pods = [.. YamlToJson.Documents(File.ReadAllText(file)).SelectMany(WorkloadPods.From)];
            }
            catch (Exception e) when (e is YamlException or InvalidOperationException or IOException)
            {
                skipped++;
                continue;
            }

            read++;
            for (var i = 0; i < pods.Count; i++)
            {
                var pod = pods[i];
                var label = pods.Count == 1 ? name : $"{name}#{i.ToString(CultureInfo.InvariantCulture)}";
                Normalize(pod, Path.GetFileNameWithoutExtension(name), i);
                seeds.Add(new Seed(label, pod, Synthetic: false));
            }
        }

        seeds.AddRange(SyntheticSeeds.All());
        return (seeds, read, skipped);
    }

    /// <summary>A namespace ("default") and a name when the workload gave none, as the API server has them at admission.</summary>
    private static void Normalize(JsonObject pod, string stem, int index)
    {
        if (pod["metadata"] is not JsonObject metadata)
        {
            metadata = new JsonObject();
            pod["metadata"] = metadata;
        }

        if (metadata["namespace"] is not JsonValue)
        {
            metadata["namespace"] = "default";
        }

        if (metadata["name"] is not JsonValue)
        {
            var baseName = new string([.. stem.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Trim('-');
            metadata["name"] = $"{baseName}-{index.ToString(CultureInfo.InvariantCulture)}-fuzz";
        }
    }
}
