using System.Globalization;
using System.Text;

namespace Portal.Domain.Values;

/// <summary>How operator input appears inside error messages: short values quoted (control characters escaped),
/// long ones by their length only, so that a message stays one readable sentence.</summary>
internal static class Show
{
    /// <summary>Values longer than this are described by length instead of quoted.</summary>
    public const int MaxQuotedLength = 80;

    /// <summary>The value in quotes, e.g. <c>'exa mple.com'</c>, or just <c>the value</c> when it is too long to read in a sentence.</summary>
    public static string Quote(string text) =>
        text.Length > MaxQuotedLength ? "the value" : $"'{Escape(text)}'";

    /// <summary><see cref="Quote"/> at the start of a sentence.</summary>
    public static string QuoteStart(string text)
    {
        var quoted = Quote(text);
        return quoted.StartsWith('\'') ? quoted : string.Concat(quoted[..1].ToUpperInvariant(), quoted[1..]);
    }

    /// <summary>A name as it reads inside a sentence: as given when it is short and printable (<c>airbyte.colour</c>), otherwise
    /// as <see cref="Quote"/> shows it.</summary>
    public static string Plain(string text) =>
        text.Length <= MaxQuotedLength && !text.Any(c => char.IsControl(c) || char.IsSurrogate(c)) ? text : Quote(text);

    /// <summary><see cref="Plain"/> at the start of a sentence.</summary>
    public static string PlainStart(string text)
    {
        var shown = Plain(text);
        return ReferenceEquals(shown, text) ? text : QuoteStart(text);
    }

    /// <summary>Text from a file or another system (a certificate's subject, a name in it) inside a sentence: control characters
    /// escaped and cut to <see cref="MaxQuotedLength"/> characters with "…", so that the sentence stays readable.</summary>
    public static string Excerpt(string text)
    {
        var escaped = Escape(text);
        if (escaped.Length <= MaxQuotedLength)
        {
            return escaped;
        }

        var cut = char.IsHighSurrogate(escaped[MaxQuotedLength - 1]) ? MaxQuotedLength - 1 : MaxQuotedLength;
        return string.Concat(escaped.AsSpan(0, cut), "…");
    }

    /// <summary>One character as a person reads it: <c>'_'</c>, <c>a space</c>, <c>U+0007</c>.</summary>
    public static string Char(char c) => c switch
    {
        ' ' => "a space",
        '\t' => "a tab",
        '\n' or '\r' => "a line break",
        _ when char.IsControl(c) || char.IsSurrogate(c) || char.IsWhiteSpace(c) => $"U+{(int)c:X4}",
        _ => $"'{c}'",
    };

    /// <summary>Distinct characters, in order of appearance: <c>'_', 'M'</c>.</summary>
    public static string Chars(IEnumerable<char> chars) => string.Join(", ", chars.Distinct().Take(5).Select(Char));

    /// <summary><c>a, b or c</c>.</summary>
    public static string Or(IEnumerable<string> items) => Join(items, "or");

    /// <summary><c>a, b and c</c>.</summary>
    public static string And(IEnumerable<string> items) => Join(items, "and");

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Join(IEnumerable<string> items, string last)
    {
        var list = items.ToList();
        return list.Count switch
        {
            0 => "",
            1 => list[0],
            _ => $"{string.Join(", ", list.Take(list.Count - 1))} {last} {list[^1]}",
        };
    }

    /// <summary>Control characters and lone surrogates as <c>\\uXXXX</c>; everything else as it is.</summary>
    internal static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else if (char.IsControl(c) || char.IsSurrogate(c))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
