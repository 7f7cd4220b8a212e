using System.Globalization;

namespace Portal.Domain.Plans;

/// <summary>What a certificate or secret step works on: a hostname (or a secret id, <c>&lt;component&gt;.&lt;secret&gt;</c>, in
/// <see cref="Host"/>), and for a roll-back the revision to restore.</summary>
/// <remarks>Persisted as text (<see cref="ToString"/>, read back by <see cref="Parse"/>): <c>airbyte.example.com</c> or
/// <c>airbyte.example.com#3</c>. Hostnames and secret ids never hold <c>#</c>.</remarks>
public sealed record StepSubject(string Host, int? Revision = null)
{
    public static StepSubject Parse(string text)
    {
        var at = text.LastIndexOf('#');
        return at < 0
            ? new StepSubject(text)
            : new StepSubject(text[..at], int.Parse(text[(at + 1)..], NumberStyles.None, CultureInfo.InvariantCulture));
    }

    public override string ToString() => Revision is { } revision ? $"{Host}#{revision.ToString(CultureInfo.InvariantCulture)}" : Host;
}
