using Portal.Provisioning.Stacks;

namespace Portal.Tests.Fakes;

/// <summary>The draft service as the wizard sees it: answers the test sets, and every draft it was asked about.</summary>
public sealed class FakeStackDrafts : IStackDrafts
{
    public ServiceResult<string> Validation { get; set; } = ServiceResult<string>.Ok("deploys 10 components and 12 relations in 34 steps");

    public ServiceResult<StackPreview> Preview { get; set; } = ServiceResult<StackPreview>.Ok(new StackPreview(
        "Deploys 10 components and 12 relations in 3 steps.",
        [
            new PreviewStep("namespace:airbyte-prod", "EnsureNamespace", "Create namespace airbyte-prod", "", []),
            new PreviewStep("apply:postgresql", "Apply", "Apply postgresql", "", ["namespace:airbyte-prod"]),
            new PreviewStep("await:postgresql", "Await", "Wait for postgresql", "postgresql to accept connections", ["apply:postgresql"]),
        ],
        [
            new PreviewObject("Namespace", "airbyte-prod", null, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: airbyte-prod\n"),
            new PreviewObject("Secret", "postgresql-superuser", "postgresql", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: postgresql-superuser\nstringData:\n  password: <redacted>\n"),
        ]));

    public ServiceResult<PreflightReport> Preflight { get; set; } = Report((PreflightOutcome.Pass, null));

    public List<CreateStackCommand> Validated { get; } = [];

    public int PreflightCalls { get; private set; }

    public static ServiceResult<PreflightReport> Report(params (PreflightOutcome Outcome, string? Remedy)[] outcomes) =>
        ServiceResult<PreflightReport>.Ok(new PreflightReport(
            "sandbox",
            "airbyte-prod",
            new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero),
            outcomes.Select((o, i) => new PreflightCheck($"check-{i}", $"Check {i}", o.Outcome, $"Detail of check {i}.", o.Remedy)).ToList()));

    public Task<ServiceResult<string>> ValidateAsync(CreateStackCommand command, CancellationToken cancellationToken)
    {
        Validated.Add(command);
        return Task.FromResult(Validation);
    }

    public Task<ServiceResult<StackPreview>> PreviewAsync(CreateStackCommand command, CancellationToken cancellationToken) => Task.FromResult(Preview);

    public Task<ServiceResult<PreflightReport>> PreflightAsync(CreateStackCommand command, CancellationToken cancellationToken)
    {
        PreflightCalls++;
        return Task.FromResult(Preflight);
    }
}
