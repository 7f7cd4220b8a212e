using System.Security.Cryptography;

namespace Portal.Domain.Values;

/// <summary>One PEM block: its label (<c>CERTIFICATE</c>, <c>PRIVATE KEY</c>…) and decoded bytes.</summary>
internal sealed record PemBlock(string Label, byte[] Data);

/// <summary>Reads every PEM block of a text (RFC 7468), noting text that looks like PEM but does not decode.</summary>
internal static class PemReader
{
    private const string BeginMarker = "-----BEGIN ";

    /// <summary>The longest PEM text read: some 40 certificates. Finding blocks takes time that grows with the square of the text
    /// when BEGIN lines have no END, so a pasted megabyte must be refused before it is searched.</summary>
    public const int MaxLength = 65_536;

    /// <summary>The sentence for text over <see cref="MaxLength"/>, or null.</summary>
    public static string? TooLong(string text) => text.Length <= MaxLength
        ? null
        : $"The PEM text is {Show.Number(text.Length)} characters long; at most {Show.Number(MaxLength)} are read (some 40 certificates).";

    public static IReadOnlyList<PemBlock> Read(string text, out int damagedBlocks)
    {
        var blocks = new List<PemBlock>();
        var remaining = text.AsSpan();
        while (PemEncoding.TryFind(remaining, out var fields))
        {
            var data = new byte[fields.DecodedDataLength];
            if (!Convert.TryFromBase64Chars(remaining[fields.Base64Data], data, out var written))
            {
                break;
            }

            blocks.Add(new PemBlock(remaining[fields.Label].ToString(), data[..written]));
            remaining = remaining[fields.Location.End..];
        }

        var begins = CountOccurrences(text, BeginMarker);
        damagedBlocks = Math.Max(0, begins - blocks.Count);
        return blocks;
    }

    /// <summary>A legacy OpenSSL encrypted key (<c>Proc-Type: 4,ENCRYPTED</c>), which RFC 7468 readers do not see as PEM.</summary>
    public static bool HasLegacyEncryptedKey(string text) =>
        text.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.OrdinalIgnoreCase);

    private static int CountOccurrences(string text, string marker)
    {
        var count = 0;
        for (var i = text.IndexOf(marker, StringComparison.Ordinal); i >= 0; i = text.IndexOf(marker, i + marker.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
