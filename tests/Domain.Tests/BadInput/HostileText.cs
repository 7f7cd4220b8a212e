using CsCheck;

namespace Portal.Domain.Tests.BadInput;

/// <summary>Generators of hostile text: control characters and line breaks, Unicode that misleads (right-to-left overrides,
/// combining marks, zero-width and full-width characters, emoji, lone surrogates), very long strings, injection attempts, values
/// of the wrong type, and near-misses of valid values with one of those spliced in.</summary>
internal static class HostileText
{
    /// <summary>Pieces that have broken parsers before, one character or a short run each.</summary>
    public static readonly string[] Pieces =
    [
        "\0", "\n", "\r\n", "\r", "\t", "\v", "\f", "\u0007", "\u001b[31m", "\u007f", "\u0085", "\u00a0", "\u2028", "\u2029",
        "\u202e", "\u202d", "\u200f", "\u200e", "\u2066", "\u200b", "\u200d", "\ufeff", "\u0301", "\u0336\u0336\u0336", "\u3000",
        "😀", "👩‍👩‍👧", "🏳️‍🌈", "\ud800", "\udfff", "\udbff\ud800", "\uffff", "\ufffe", "\ufffd", "Ａ", "ｅｘａｍｐｌｅ", "İ", "ß", "ﬁ",
        "ǅ", "Σ", "\u0130", "\u0131", "ا", "שלום", "中文", "。", "．", "｡", "١٢٣", "１２", "xn--", "xn--zz", "-", "--", "_", ".", "..",
        "../", "..\\", "/", "\\", "%", "%00", "%0a", "%2F", "&", "?", "#", "@", ":", "::", ";", ",", "=", "*", "*.", "'", "\"", "`",
        "$", "${jndi:ldap://x}", "{{7*7}}", "<script>alert(1)</script>", "'; DROP TABLE stacks;--", "{", "}", "[", "]", " ", "  ",
        "null", "true", "-1", "0", "1e309", "NaN",
    ];

    /// <summary>Whole values of the wrong type, as they arrive once a JSON number, boolean or structure is turned into text.</summary>
    public static readonly string[] WrongTypes =
    [
        "true", "false", "True", "null", "undefined", "0", "-0", "1", "-1", "1.5", "1e3", "1e309", "-1e309", "NaN", "Infinity",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "2147483648", "99999999999999999999999999",
        "0x10", "0b11", "1_000", "1,000", "١٢٣", "１２３", "[]", "[1,2]", "{}", "{\"a\":1}", "\"quoted\"", "''",
    ];

    /// <summary>Valid values of one type or another, to give an option the wrong kind of value.</summary>
    public static readonly string[] OtherTypes =
    [
        "airbyte.example.com", "*.example.com", "10.0.0.1", "::1", "5432", "65536", "ops@example.com", "a@b, c@d",
        "example.com, *", "https://airbyte.example.com/path?q=1", "http://localhost:8080", "registry.example.com/img:1.0",
        "img@sha256:" + new string('a', 64), "1Gi", "500m", "0", "60s", "1h30m", "10.0.0.0/8, 2001:db8::/32", "airbyte-prod",
        "INFO", "external", "in-cluster", "verify-full", "github", "X-Forwarded-User", "/oauth2", "--flag=value\n--other",
    ];

    public static readonly Gen<string> Piece = Gen.OneOf(Pieces);

    /// <summary>Any UTF-16 text, surrogates included.</summary>
    public static readonly Gen<string> Random = Gen.Char.Array[0, 40].Select(chars => new string(chars));

    /// <summary>Pieces and random characters glued together.</summary>
    public static readonly Gen<string> Mixed =
        Gen.OneOf<string>(Piece, Gen.Char.Select(c => c.ToString()), Gen.Char['a', 'z'].Select(c => c.ToString()))
            .Array[1, 12].Select(parts => string.Concat(parts));

    /// <summary>Very long text: 100,000 characters of one piece, a valid-looking label, or random characters.</summary>
    public static readonly Gen<string> Long = Gen.OneOf<string>(
        Gen.Int[1_000, 100_000].Select(n => new string('a', n)),
        Piece.Select(p => Repeat(p, 100_000)),
        Gen.Const(Repeat("a.", 100_000)),
        Gen.Const(Repeat("airbyte-", 100_000)),
        Gen.Const("airbyte." + Repeat("\u0301", 100_000) + ".example.com"),
        Gen.Char.Array[20_000].Select(chars => new string(chars)));

    /// <summary>Splices a hostile piece into a valid value: at the start, the end or anywhere inside, or replaces a character.</summary>
    public static Gen<string> NearMiss(string valid) =>
        Gen.Select(Piece, Gen.Int[0, valid.Length], Gen.Int[0, 2], (piece, at, how) => how switch
        {
            0 => valid.Insert(at, piece),
            1 when valid.Length > 0 => string.Concat(valid.AsSpan(0, Math.Min(at, valid.Length - 1)), piece, valid.AsSpan(Math.Min(at, valid.Length - 1) + 1)),
            _ => valid + piece + valid,
        });

    /// <summary>Any hostile value, weighted toward the short ones (the long ones are slow to check but each is covered often).</summary>
    public static Gen<string> Any(params string[] valid)
    {
        var nearMiss = valid.Length > 0 ? Gen.OneOf(valid).SelectMany(NearMiss) : Mixed;
        // The long values are few (each takes tens of milliseconds to check) but every property meets dozens of them.
        return Gen.Frequency<string>(
            (12, Mixed),
            (6, Random),
            (6, Gen.OneOf(WrongTypes)),
            (6, Gen.OneOf(OtherTypes)),
            (18, nearMiss),
            (1, Long),
            (3, Gen.OneOf("", " ", "\t\n ", "\0")));
    }

    /// <summary>Text that no single-line field may accept: a control character, a line break or a lone surrogate between two
    /// printable parts (so trimming cannot remove it).</summary>
    public static readonly Gen<string> Unprintable = Gen.Select(
        Gen.OneOf("\0", "\n", "\r", "\u0007", "\u001b", "\u007f", "\u0085", "\u2028", "\u2029", "\ud800", "\udfff"),
        Gen.Char['a', 'z'].Array[1, 10].Select(chars => new string(chars)),
        Gen.Char['a', 'z'].Array[1, 10].Select(chars => new string(chars)),
        (bad, left, right) => left + bad + right);

    public static string Repeat(string piece, int length)
    {
        var builder = new System.Text.StringBuilder(length + piece.Length);
        while (builder.Length < length)
        {
            builder.Append(piece);
        }

        return builder.ToString();
    }
}
