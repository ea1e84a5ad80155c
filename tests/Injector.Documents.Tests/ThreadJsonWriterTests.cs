using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Injector.Documents.Tests;

/// <summary>The per-thread writer: each write starts empty, each owner has its own, and its options decide the escaping.</summary>
public sealed class ThreadJsonWriterTests
{
    [Fact]
    public void Each_write_starts_empty_and_owners_do_not_share()
    {
        using var relaxed = new ThreadJsonWriter(new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }, initialBytes: 16, maxKeptBytes: 64);
        using var strict = new ThreadJsonWriter(default, initialBytes: 16, maxKeptBytes: 64);

        var outer = relaxed.Start();
        outer.WriteStartArray();
        outer.WriteStringValue("<a>");

        // Another owner writing in the middle leaves the first one's bytes alone.
        var inner = strict.Start();
        inner.WriteStringValue("<a>");
        Assert.Equal("\"\\u003Ca\\u003E\"", Encoding.UTF8.GetString(strict.Written));
        strict.Finish();

        outer.WriteEndArray();
        Assert.Equal("[\"<a>\"]", Encoding.UTF8.GetString(relaxed.Written));
        relaxed.Finish();

        // A write past the kept bound, then a small one: each gives only its own bytes.
        var big = relaxed.Start();
        big.WriteStringValue(new string('x', 1000));
        Assert.Equal(1002, relaxed.Written.Length);
        relaxed.Finish();
        var small = relaxed.Start();
        small.WriteNumberValue(7);
        Assert.Equal("7", Encoding.UTF8.GetString(relaxed.Written));
        relaxed.Finish();
    }
}
