using Portal.Domain.Common;

namespace Portal.Domain.Values;

/// <summary>Why an operator makes a change, as the audit log and the operation keep it: printable text, line breaks and tabs
/// allowed, no other control character or broken Unicode, trimmed (CRLF and CR read as LF), at most <see cref="MaxLength"/>
/// characters.</summary>
/// <remarks>Messages never quote the text. Every path that takes a reason (the REST API, the UI's forms, the portal's own jobs)
/// reaches the services, which check it with <see cref="Check"/>; the audit entry of a request refused for any reason stores it
/// through <see cref="ForAudit"/>, so that not even a refused reason is written raw.</remarks>
public sealed record ReasonText
{
    /// <summary>The longest reason accepted: a ticket number and a few sentences, not a pasted log.</summary>
    public const int MaxLength = 1_000;

    /// <summary>The field a reason's errors are reported on.</summary>
    public const string Field = "reason";

    private ReasonText(string value) => Value = value;

    public string Value { get; }

    /// <summary>A reason that holds something: errors (path empty) for a blank one, a control character, a lone surrogate or one
    /// that is too long.</summary>
    public static Result<ReasonText> TryCreate(string? text)
    {
        var value = Normalize(text);
        if (value is null)
        {
            return Errors.Fail<ReasonText>("Give a reason.");
        }

        var messages = new List<string>();
        TextRules.Check(value, multiline: true, messages, "The reason");
        if (value.Length > MaxLength)
        {
            messages.Add($"The reason is {Show.Number(value.Length)} characters long; at most {Show.Number(MaxLength)} are allowed.");
        }

        return Errors.Finish(messages, () => new ReasonText(value));
    }

    /// <summary>Checks a reason as a request gives it, adding its problems to <paramref name="errors"/> under <see cref="Field"/>,
    /// and returns it as it is kept (trimmed; null when none was given or it is not valid).</summary>
    /// <param name="requiredMessage">Null when the reason is optional; otherwise it is required, and this is what a missing one is told.</param>
    public static string? Check(string? text, ErrorList errors, string? requiredMessage = null)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Normalize(text) is null)
        {
            if (requiredMessage is not null)
            {
                errors.Add(Field, requiredMessage);
            }

            return null;
        }

        return errors.Collect(TryCreate(text), Field, out var reason) ? reason.Value : null;
    }

    /// <summary>The reason as an audit entry stores it, whatever the request held: a valid one as it is kept, anything else
    /// readable (control characters and lone surrogates written as <c>\uXXXX</c>, cut to <see cref="MaxLength"/> characters);
    /// null when none was given.</summary>
    public static string? ForAudit(string? text)
    {
        if (Normalize(text) is null)
        {
            return null;
        }

        var parsed = TryCreate(text);
        return parsed.IsSuccess ? parsed.Value.Value : ValidationError.Readable(text!, MaxLength);
    }

    /// <summary>The reason as it is kept once <see cref="Check"/> found no problem: line ends as LF, surrounding whitespace
    /// dropped; null when nothing is left.</summary>
    public static string? Normalize(string? text)
    {
        var value = (text ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Trim();
        return value.Length == 0 ? null : value;
    }

    public override string ToString() => Value;
}
