using System.Text;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Support;
using Diagnostics.Protocol;
using Diagnostics.Testing;

namespace Diagnostics.Fuzzing.Targets;

/// <summary>What the cloud reads from people and devices over HTTP: knowledge articles, support pictures, diagnostics bundles.</summary>
public static class CloudTargets
{
    public static FuzzTarget Article { get; } = new()
    {
        Name = "article",
        Covers = "ArticleFormat.Parse (YAML header through YamlDotNet, then the Markdown sections)",
        Seeds = () => [.. Directory.GetFiles(Path.Combine(RepositoryLayout.Root, "cloud", "knowledge-base"), "*.md")
            .Where(path => Path.GetFileName(path) != "README.md")
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes)],
        // YamlDotNet's parser keeps a few buffers and a token per scalar; the text is decoded once.
        FixedAllocationBytes = 4 << 20,
        AllocationBytesPerInputByte = 1024,
        Dictionary = ["---", "\n## Symptoms\n", "\n## Customer steps\n", "\n## Agent notes\n", "id: ", "title: ", "summary: ", "applies:\n", "  codes: [", "  conditions: [",
            "  models: [", "  firmware: \">=2.0 <3\"", "remediation:\n", "  command: ", "  action: ", "  parameters:\n", "  describe: ", "  verify:\n",
            "    clears: ", "    within: 00:05:00", "tags: [", "- ", "1. ", "&anchor ", "*anchor", "!!binary ", "? ", "{", "[", "|\n", ">\n"],
        Parse = input =>
        {
            var parsed = ArticleFormat.Parse(Encoding.UTF8.GetString(input));
            if (parsed.IsValid)
                return ParseOutcome.Value;
            if (parsed.Errors.Count == 0 || parsed.Errors.Any(string.IsNullOrWhiteSpace))
                throw new ContractViolationException("ArticleFormat.Parse refused an article without saying why");
            return ParseOutcome.TypedError;
        },
    };

    /// <summary>
    /// The picture a customer or agent uploads into a support conversation, checked by its first bytes. Besides the
    /// contract, each answer is held against the signatures the formats define: PNG's 8-byte signature (ISO/IEC 15948
    /// 5.2), JPEG's SOI marker FF D8 followed by another marker (ITU-T T.81 B.1.1.2), WebP's RIFF header with the form
    /// type WEBP (RFC 9649 2.5).
    /// </summary>
    public static FuzzTarget ImageSniffing { get; } = new()
    {
        Name = "image",
        Covers = "SessionPictures.ImageTypeOf (magic bytes of support uploads)",
        Seeds = () =>
        [
            [0x89, .. "PNG\r\n\u001a\n"u8, 0, 0, 0, 13, .. "IHDR"u8, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0],
            [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, .. "JFIF\0"u8, 1, 1, 0, 0, 1, 0, 1, 0, 0],
            [.. "RIFF"u8, 26, 0, 0, 0, .. "WEBPVP8L"u8, 13, 0, 0, 0, 0x2F, 0, 0, 0, 0x10],
            [.. "GIF89a"u8, 1, 0, 1, 0],
            [.. "%PDF-1.7\n"u8],
        ],
        AllocationBytesPerInputByte = 0,
        Parse = input =>
        {
            var sniffed = SessionPictures.ImageTypeOf(input);
            var expected = ByTheStandards(input);
            if (sniffed != expected)
                throw new ContractViolationException($"ImageTypeOf says {sniffed ?? "not a picture"} for bytes the standards call {expected ?? "not a picture"}: {Convert.ToHexString(input.AsSpan(0, Math.Min(16, input.Length)))}");
            return sniffed is null ? ParseOutcome.TypedError : ParseOutcome.Value;
        },
    };

    public static FuzzTarget Bundle { get; } = new()
    {
        Name = "bundle",
        Covers = "DiagnosticsBundles.Read (the JSON bundle a device uploads)",
        Seeds = () =>
        [
            JsonBundle("""[{"name":"status","title":"Status","mediaType":"application/json","content":"{\"state\":\"stopped\"}"},{"name":"agent-log","title":"Log","mediaType":"text/plain","content":"12:00 jam\n"}]"""),
            JsonBundle("[]"),
        ],
        Parse = input =>
        {
            var bundle = DiagnosticsBundles.Read(input, out var error);
            if (bundle is null == string.IsNullOrEmpty(error))
                throw new ContractViolationException($"DiagnosticsBundles.Read returned {(bundle is null ? "no bundle" : "a bundle")} with error '{error}'");
            return bundle is null ? ParseOutcome.TypedError : ParseOutcome.Value;
        },
    };

    private static string? ByTheStandards(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
            return "image/png";
        if (bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF)
            return "image/jpeg";
        if (bytes.Length >= 12 && bytes[..4].SequenceEqual("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8))
            return "image/webp";
        return null;
    }

    private static byte[] JsonBundle(string sections) => Encoding.UTF8.GetBytes(
        $$"""{"deviceId":"printer-7","commandId":"cmd-1","createdAt":"2026-11-23T09:30:00+00:00","agentVersion":"1.0.0","sections":{{sections}}}""");
}
