using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Features.Certificates;

/// <summary>What the certificate dialogs share: the operator's role checked before a write, and how its outcome reads.</summary>
public static class CertificateWrites
{
    /// <summary>The fields the certificate service names in its validation errors.</summary>
    public static readonly IReadOnlyList<string> Fields = ["certificate", "key", "chain", "host", "reason"];

    /// <summary>Sends a write as the signed-in operator (the circuit's role checked first) and sorts what came back: the operation
    /// it started, every error on a field by field, and the rest as sentences.</summary>
    public static Task<WriteOutcome> SendAsync(CircuitAuthorization authorization, Func<string, Task<ServiceResult<StackChange>>> write) =>
        SendAsync(authorization, Fields, write);

    /// <summary>Sends a write as the signed-in operator and sorts what came back by the given <paramref name="fields"/>.</summary>
    public static async Task<WriteOutcome> SendAsync(
        CircuitAuthorization authorization, IReadOnlyList<string> fields, Func<string, Task<ServiceResult<StackChange>>> write)
    {
        try
        {
            var actor = await authorization.DemandAsync(PortalPolicies.Operator);
            var result = await write(actor);
            if (result.IsSuccess)
            {
                return result.Value.OperationId is { } id
                    ? new WriteOutcome(id, EmptyFields, [])
                    : new WriteOutcome(null, EmptyFields, [result.Value.Message]);
            }

            if (result.Status != ServiceStatus.Invalid || result.Errors.Count == 0)
            {
                return new WriteOutcome(null, EmptyFields, [result.Message]);
            }

            var byField = result.Errors
                .GroupBy(e => FieldOf(e.Path, fields), StringComparer.Ordinal)
                .Where(g => g.Key is not null)
                .ToDictionary(g => g.Key!, g => (IReadOnlyList<string>)g.Select(e => e.Message).ToList(), StringComparer.Ordinal);
            var general = result.Errors.Where(e => FieldOf(e.Path, fields) is null).Select(e => e.Message).ToList();
            return new WriteOutcome(null, byField, general);
        }
        catch (UnauthorizedAccessException e)
        {
            return new WriteOutcome(null, EmptyFields, [e.Message]);
        }
    }

    /// <summary>The field a validation path belongs to (<c>chain[1]</c> → chain), or null when it names none of them.</summary>
    public static string? FieldOf(string path) => FieldOf(path, Fields);

    /// <summary>The one of <paramref name="fields"/> a validation path belongs to, or null.</summary>
    public static string? FieldOf(string path, IReadOnlyList<string> fields)
    {
        var end = path.IndexOfAny(['.', '[']);
        var head = end < 0 ? path : path[..end];
        return fields.FirstOrDefault(f => string.Equals(f, head, StringComparison.OrdinalIgnoreCase));
    }

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> EmptyFields = new Dictionary<string, IReadOnlyList<string>>();
}

/// <summary>How a certificate write went: the operation it started, or the problems by field and the others.</summary>
public sealed record WriteOutcome(Guid? OperationId, IReadOnlyDictionary<string, IReadOnlyList<string>> FieldErrors, IReadOnlyList<string> Problems)
{
    public IReadOnlyList<string> ErrorsOf(string field) => FieldErrors.TryGetValue(field, out var errors) ? errors : [];

    /// <summary>This outcome without the errors on a field the operator has just changed.</summary>
    public WriteOutcome Without(string field) => FieldErrors.ContainsKey(field)
        ? this with { FieldErrors = FieldErrors.Where(f => f.Key != field).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal) }
        : this;

    public static WriteOutcome None { get; } = new(null, new Dictionary<string, IReadOnlyList<string>>(), []);
}
