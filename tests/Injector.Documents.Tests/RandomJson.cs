using System.Text.Json.Nodes;

namespace Injector.Documents.Tests;

/// <summary>Small random JSON trees and random edits for property tests (seeded by the caller).</summary>
internal static class RandomJson
{
    private static readonly string[] Keys = ["a", "b", "c/d", "e~f", "name", "x"];

    public static JsonNode? Node(Random r, int depth)
    {
        var pick = depth >= 3 ? r.Next(4) : r.Next(6);
        switch (pick)
        {
            case 0:
                return null;
            case 1:
                return JsonValue.Create((long)r.Next(5));
            case 2:
                return JsonValue.Create(Keys[r.Next(Keys.Length)]);
            case 3:
                return JsonValue.Create(r.Next(2) == 0);
            case 4:
                var obj = new JsonObject();
                for (var i = r.Next(4); i > 0; i--)
                {
                    obj[Keys[r.Next(Keys.Length)]] = Node(r, depth + 1);
                }

                return obj;
            default:
                var array = new JsonArray();
                for (var i = r.Next(5); i > 0; i--)
                {
                    array.Add(Node(r, depth + 1));
                }

                return array;
        }
    }

    public static JsonNode? Edit(Random r, JsonNode? node, int depth)
    {
        if (r.Next(8) == 0)
        {
            return Node(r, depth);
        }

        switch (node)
        {
            case JsonObject obj:
                var keys = obj.Select(p => p.Key).ToList();
                foreach (var key in keys)
                {
                    switch (r.Next(4))
                    {
                        case 0:
                            obj.Remove(key);
                            break;
                        case 1:
                            var child = obj[key];
                            obj.Remove(key);
                            obj[key] = Edit(r, child, depth + 1);
                            break;
                    }
                }

                if (r.Next(2) == 0)
                {
                    obj[Keys[r.Next(Keys.Length)]] = Node(r, depth + 1);
                }

                return obj;
            case JsonArray array:
                for (var i = array.Count - 1; i >= 0; i--)
                {
                    switch (r.Next(5))
                    {
                        case 0:
                            array.RemoveAt(i);
                            break;
                        case 1:
                            var child = array[i];
                            array.RemoveAt(i);
                            array.Insert(i, Edit(r, child, depth + 1));
                            break;
                        case 2:
                            array.Insert(i, Node(r, depth + 1));
                            break;
                    }
                }

                if (r.Next(3) == 0)
                {
                    array.Add(Node(r, depth + 1));
                }

                return array;
            default:
                return r.Next(2) == 0 ? node : Node(r, depth);
        }
    }
}
