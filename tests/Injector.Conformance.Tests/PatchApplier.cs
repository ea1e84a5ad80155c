using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;

namespace Injector.Conformance.Tests;

/// <summary>Applies the webhook's RFC 6902 patch with Microsoft's implementation (a path that does not exist is an error).</summary>
public static class PatchApplier
{
    public static JsonNode Apply(JsonNode document, JsonArray patch)
    {
        var copy = (JsonObject)document.DeepClone();
        JsonSerializer.Deserialize<JsonPatchDocument>(patch.ToJsonString())!.ApplyTo(copy);
        return copy;
    }
}
