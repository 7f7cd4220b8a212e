using Portal.Domain.Common;
using Portal.Domain.Values;

namespace Portal.Domain.Secrets;

/// <summary>The id of a secret a stack owns: <c>&lt;component&gt;.&lt;secret&gt;</c>, both DNS labels, so the one dot is unambiguous
/// (<c>oauth2-proxy.cookie-secret</c>, <c>postgresql.airbyte-db</c>, <c>minio.root-credentials</c>).</summary>
public readonly record struct SecretId(string Component, string Secret)
{
    /// <summary>Parses <c>component.secret</c>; every problem at once, on <paramref name="path"/>.</summary>
    public static Result<SecretId> Parse(string? text, string path = "secret")
    {
        var parts = (text ?? "").Split('.');
        if (parts.Length != 2)
        {
            return Result<SecretId>.Failure(path, $"{Show.QuoteStart(text ?? "")} is not a secret id: write it as component.secret, e.g. oauth2-proxy.cookie-secret.");
        }

        var errors = new ErrorList();
        if (!IsLabel(parts[0]))
        {
            errors.Add(path, $"{Show.QuoteStart(parts[0])} in {Show.Quote(text!)} is not a component name: lowercase letters, digits and '-', at most 63 characters.");
        }

        if (!IsLabel(parts[1]))
        {
            errors.Add(path, $"{Show.QuoteStart(parts[1])} in {Show.Quote(text!)} is not a secret name: lowercase letters, digits and '-', at most 63 characters.");
        }

        return errors.ToResult(() => new SecretId(parts[0], parts[1]));
    }

    public override string ToString() => $"{Component}.{Secret}";

    private static bool IsLabel(string part) => DnsLabel.TryCreate(part) is { IsSuccess: true } label && label.Value.Value == part;
}
