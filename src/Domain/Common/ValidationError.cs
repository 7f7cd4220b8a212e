namespace Portal.Domain.Common;

/// <summary>One problem with operator input: where it is (a dotted path such as
/// <c>ingress.whitelist-source-range</c>) and a sentence a person understands.</summary>
public sealed record ValidationError(string Path, string Message)
{
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";
}
