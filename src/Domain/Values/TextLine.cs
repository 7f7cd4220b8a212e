using System.Globalization;
using Portal.Domain.Common;

namespace Portal.Domain.Values;

/// <summary>Free text on one line (a client id, a task queue, a password): any printable Unicode, no line breaks or
/// control characters, at most <see cref="DefaultMaxLength"/> characters unless the caller says otherwise.</summary>
/// <remarks>Messages never quote the text, so that the same parser serves secrets.</remarks>
public sealed record TextLine
{
    public const int DefaultMaxLength = 1024;

    private TextLine(string value) => Value = value;

    public string Value { get; }

    public int Length => Value.Length;

    /// <param name="trim">Drop surrounding whitespace (for names and ids; secrets are kept exactly as given).</param>
    public static Result<TextLine> TryCreate(string? text, int maxLength = DefaultMaxLength, bool trim = true)
    {
        var value = text ?? "";
        if (trim)
        {
            value = value.Trim();
        }

        var messages = new List<string>();
        TextRules.Check(value, multiline: false, messages);
        if (value.Length > maxLength)
        {
            messages.Add($"The text is {value.Length} characters long; at most {maxLength} are allowed.");
        }

        return Errors.Finish(messages, () => new TextLine(value));
    }

    public override string ToString() => Value;
}

/// <summary>Multi-line free text (extra flags, credentials as KEY=value lines): printable Unicode, line breaks and tabs;
/// CRLF and CR are normalised to LF. At most <see cref="DefaultMaxLength"/> characters.</summary>
/// <remarks>Messages give line numbers and character codes, never the text itself.</remarks>
public sealed record FreeText
{
    public const int DefaultMaxLength = 65_536;

    private FreeText(string value) => Value = value;

    public string Value { get; }

    public IReadOnlyList<string> Lines => Value.Length == 0 ? [] : Value.Split('\n');

    public static Result<FreeText> TryCreate(string? text, int maxLength = DefaultMaxLength)
    {
        var value = (text ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        var messages = new List<string>();
        TextRules.Check(value, multiline: true, messages);
        if (value.Length > maxLength)
        {
            messages.Add($"The text is {value.Length} characters long; at most {maxLength} are allowed.");
        }

        return Errors.Finish(messages, () => new FreeText(value));
    }

    public override string ToString() => Value;
}

/// <summary>The character rules of free text, reported by position (never by quoting the text).</summary>
internal static class TextRules
{
    /// <summary>Whether the text has half of a surrogate pair on its own (broken UTF-16, which no UTF-8 encoder can write).</summary>
    public static bool HasLoneSurrogate(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <param name="subject">What the text is, at the start of each message ("The text", "The reason").</param>
    public static void Check(string value, bool multiline, List<string> messages, string subject = "The text")
    {
        var line = 1;
        var column = 0;
        var reported = 0;
        for (var i = 0; i < value.Length && reported < 5; i++)
        {
            var c = value[i];
            column++;
            var where = multiline
                ? $"line {line.ToString(CultureInfo.InvariantCulture)}, position {column.ToString(CultureInfo.InvariantCulture)}"
                : $"position {(i + 1).ToString(CultureInfo.InvariantCulture)}";
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                messages.Add($"{subject} has an invalid Unicode character (a lone surrogate) at {where}.");
                reported++;
            }
            else if (c == '\n' || c == '\u2028' || c == '\u2029')
            {
                if (!multiline)
                {
                    messages.Add($"{subject} has a line break at {where}; it must be on one line.");
                    reported++;
                }

                line++;
                column = 0;
            }
            else if (c == '\t' && multiline)
            {
                continue;
            }
            else if (char.IsControl(c))
            {
                messages.Add($"{subject} has a control character ({Show.Char(c)}) at {where}; only printable characters{(multiline ? ", tabs and line breaks" : "")} are allowed.");
                reported++;
            }
        }
    }
}
