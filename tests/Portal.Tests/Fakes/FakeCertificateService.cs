using Portal.Provisioning.Certificates;
using Portal.Provisioning.Stacks;

namespace Portal.Tests.Fakes;

/// <summary>The certificate service as the pages use it: lanes per stack and expiries set by the test, every call counted, and the
/// writes recorded and answered by the handler a test sets (<see cref="OnRotate"/>, <see cref="OnRollback"/>,
/// <see cref="OnUpload"/>); without one they throw, so a test notices if a page starts changing things.</summary>
public sealed class FakeCertificateService : ICertificateService
{
    /// <summary>What <see cref="ListAsync"/> answers per stack; an unknown stack is NotFound.</summary>
    public Dictionary<string, ServiceResult<StackCertificates>> Stacks { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<StackCertificateExpiries> Expiries { get; set; } = [];

    /// <summary>When set, <see cref="ExpiriesAsync"/> throws it (an infrastructure fault).</summary>
    public Exception? ExpiriesFault { get; set; }

    public int ListCalls { get; private set; }

    public int ExpiriesCalls { get; private set; }

    public List<(string Stack, string Host, string? Reason, string Actor)> Rotations { get; } = [];

    public List<(string Stack, string Host, int? Revision, string? Reason, string Actor)> Rollbacks { get; } = [];

    public List<(string Stack, string Host, ManualCertificateUpload Upload, string Actor)> Uploads { get; } = [];

    public Func<string, string, ServiceResult<StackChange>>? OnRotate { get; set; }

    public Func<string, string, int?, ServiceResult<StackChange>>? OnRollback { get; set; }

    public Func<string, string, ManualCertificateUpload, ServiceResult<StackChange>>? OnUpload { get; set; }

    public Task<ServiceResult<StackCertificates>> ListAsync(string stack, CancellationToken cancellationToken)
    {
        ListCalls++;
        return Task.FromResult(Stacks.TryGetValue(stack, out var result)
            ? result
            : ServiceResult<StackCertificates>.NotFound($"There is no stack named {stack}."));
    }

    public Task<IReadOnlyList<StackCertificateExpiries>> ExpiriesAsync(CancellationToken cancellationToken)
    {
        ExpiriesCalls++;
        return ExpiriesFault is { } fault ? Task.FromException<IReadOnlyList<StackCertificateExpiries>>(fault) : Task.FromResult(Expiries);
    }

    public Task<ServiceResult<StackChange>> RotateAsync(string stack, string host, string? reason, string actor, CancellationToken cancellationToken)
    {
        var handler = OnRotate ?? throw new InvalidOperationException("This test does not expect a page to rotate a certificate.");
        Rotations.Add((stack, host, reason, actor));
        return Task.FromResult(handler(stack, host));
    }

    public Task<ServiceResult<StackChange>> RollbackAsync(string stack, string host, int? revision, string? reason, string actor, CancellationToken cancellationToken)
    {
        var handler = OnRollback ?? throw new InvalidOperationException("This test does not expect a page to roll a certificate back.");
        Rollbacks.Add((stack, host, revision, reason, actor));
        return Task.FromResult(handler(stack, host, revision));
    }

    public Task<ServiceResult<StackChange>> UploadAsync(string stack, string host, ManualCertificateUpload upload, string actor, CancellationToken cancellationToken)
    {
        var handler = OnUpload ?? throw new InvalidOperationException("This test does not expect a page to upload a certificate.");
        Uploads.Add((stack, host, upload, actor));
        return Task.FromResult(handler(stack, host, upload));
    }
}
