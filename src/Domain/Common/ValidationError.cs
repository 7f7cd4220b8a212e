namespace Portal.Domain.Common;

/// <summary>One problem with operator input: where it is (a dotted path such as
/// <c>ingress.whitelist-source-range</c>) and a sentence a person understands.</summary>
/// <remarks>Both are kept readable whatever the input was: control characters and broken Unicode are written as <c>\uXXXX</c>, and
/// text longer than a sentence (a pasted file, an option name of 100,000 characters) is cut in the middle. Messages should quote
/// input through <c>Show.Quote</c> in the first place; this is the net under every message that forgot to.</remarks>
public sealed record ValidationError(string Path, string Message)
{
    /// <summary>The longest message kept whole.</summary>
    public const int MaxMessageLength = 1_000;

    /// <summary>The longest path kept whole (paths name fields; a longer one is a made-up name that was echoed back).</summary>
    public const int MaxPathLength = 200;

    private readonly string _path = Readable(Path, MaxPathLength);
    private readonly string _message = Readable(Message, MaxMessageLength);

    public string Path
    {
        get => _path;
        init => _path = Readable(value, MaxPathLength);
    }

    public string Message
    {
        get => _message;
        init => _message = Readable(value, MaxMessageLength);
    }

    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";

    /// <summary>The text with control characters and lone surrogates escaped, and its middle replaced by "…" beyond
    /// <paramref name="max"/> characters (keeping the end, where a sentence says what to do): how any sentence that may quote input
    /// is made safe to show.</summary>
    public static string Readable(string text, int max = MaxMessageLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= max && !NeedsEscape(text))
        {
            return text;
        }

        var escaped = Values.Show.Escape(text);
        if (escaped.Length <= max)
        {
            return escaped;
        }

        var head = Boundary(escaped, (max * 2 / 3) - 1);
        var tail = Boundary(escaped, escaped.Length - (max - head - 1));
        return string.Concat(escaped.AsSpan(0, head), "…", escaped.AsSpan(tail));
    }

    private static bool NeedsEscape(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsControl(c) || char.IsSurrogate(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An index that does not split a surrogate pair.</summary>
    private static int Boundary(string text, int index) =>
        index > 0 && index < text.Length && char.IsLowSurrogate(text[index]) ? index - 1 : index;
}
