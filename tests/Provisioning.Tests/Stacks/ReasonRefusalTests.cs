using k8s;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Domain.Catalog;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Stacks;
using Portal.Domain.Values;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Secrets.Rotation;
using Portal.Provisioning.Stacks;
using Portal.Provisioning.Tests.Certificates;
using Portal.Provisioning.Tests.Drafts;
using Portal.Provisioning.Tests.Steps;

namespace Portal.Provisioning.Tests.Stacks;

/// <summary>Every service that takes an operator's reason checks it first: a reason holding a NUL (which PostgreSQL cannot store
/// in text) or longer than <see cref="ReasonText.MaxLength"/> is refused as Invalid on field <c>reason</c>, nothing starts or changes
/// (no operation, the stack's version as it was, no Secret written, no namespace made), and the refusal is audited with the reason
/// made readable. The UI's forms call these services with raw text, so this is the check they rely on.</summary>
public sealed class ReasonRefusalTests
{
    private const string Actor = "ops@example.com";
    private const string ClientSecret = "oauth2-proxy.client-secret";

    /// <summary>A NUL typed or pasted into a form, and a reason one character too long.</summary>
    private static readonly string[] BadReasons = ["CHG-7\0 moving on", new string('x', ReasonText.MaxLength + 1)];

    public static TheoryData<string> Providers => new() { "postgres", "sqlite" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Teardown_with_a_bad_reason_is_refused_and_changes_nothing(string provider)
    {
        await using var world = await World.StartAsync(provider);

        await world.RefusesEachAsync("teardown", reason => world.Stacks.DeleteAsync(world.Spec.Name, new TeardownStackCommand(true, false, false, reason), Actor, Ct));
    }

    [Fact]
    public async Task Reconfigure_with_a_bad_reason_is_refused_with_the_config_problems_and_changes_nothing()
    {
        await using var world = await World.StartAsync();

        await world.RefusesEachAsync("reconfigure", reason => world.Stacks.UpdateAsync(world.Spec.Name, Reconfigure(reason), Actor, Ct));

        // Every problem at once: a bad option alongside the bad reason.
        var both = await world.Stacks.UpdateAsync(
            world.Spec.Name, Reconfigure(BadReasons[0], ("airbyte", "no-such-option", "1")), Actor, Ct);
        Assert.Equal(ServiceStatus.Invalid, both.Status);
        Assert.Contains(both.Errors, e => e.Path == ReasonText.Field);
        Assert.Contains(both.Errors, e => e.Path != ReasonText.Field);
    }

    [Fact]
    public async Task Create_with_a_bad_reason_is_refused_and_saves_no_stack_and_stores_no_secret()
    {
        await using var world = await World.StartAsync();

        await world.RefusesEachAsync("create", reason => world.Stacks.CreateAsync(DraftCommands.Valid("fresh") with { Reason = reason }, Actor, Ct));
    }

    [Fact]
    public async Task A_refused_create_is_audited_with_its_stack_name_readable_whatever_the_name_holds()
    {
        await using var world = await World.StartAsync();

        var created = await world.Stacks.CreateAsync(DraftCommands.Valid("fr\0esh") with { Reason = "first deploy" }, Actor, Ct);

        Assert.Equal(ServiceStatus.Invalid, created.Status);
        Assert.Contains(created.Errors, e => e.Path == "name");
        await using var context = world.Harness.Database.CreateContext();
        var entry = await context.Audit.AsNoTracking().SingleAsync(a => a.Action == "create", Ct);
        Assert.Equal(("fr\\u0000esh", "first deploy"), (entry.Stack, entry.Reason));
        Assert.StartsWith("refused: ", entry.Result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secret_rotation_roll_back_and_reveal_with_a_bad_reason_are_refused_and_write_nothing()
    {
        await using var world = await World.StartAsync();
        var rotations = world.Harness.Get<ISecretRotations>();
        var reveals = world.Harness.Get<SecretReveals>();
        var webhooks = world.Spec.Components.Single(c => c.Kind == AirbyteWebhooksKind.Name).Name;

        // An operator-supplied secret: with a good reason its new value would wait in the cluster before the operation starts.
        await world.RefusesEachAsync("rotate-secret", reason => rotations.RotateAsync(world.Spec.Name, ClientSecret, new SecretRotationRequest(reason, "new-client-Secret-7"), Actor, Ct));
        await world.RefusesEachAsync("rollback-secret", reason => rotations.RollbackAsync(world.Spec.Name, ClientSecret, null, reason, Actor, Ct));
        await world.RefusesEachAsync(SecretReveals.Action, reason => reveals.RevealAsync(world.Spec.Name, $"{webhooks}.signing-secret", reason, Actor, Ct));
    }

    [Fact]
    public async Task Certificate_rotation_roll_back_and_upload_with_a_bad_reason_are_refused_and_write_nothing()
    {
        await using var world = await World.StartAsync();
        var certificates = world.Harness.Get<CertificateService>();
        const string Host = "airbyte.example.com";

        await world.RefusesEachAsync("rotate-certificate", reason => certificates.RotateAsync(world.Spec.Name, Host, reason, Actor, Ct));
        await world.RefusesEachAsync("rollback-certificate", reason => certificates.RollbackAsync(world.Spec.Name, Host, null, reason, Actor, Ct));

        // The upload's other fields are judged in the same answer.
        var upload = await certificates.UploadAsync(world.Spec.Name, Host, new ManualCertificateUpload("not a certificate", "not a key", null, BadReasons[0]), Actor, Ct);
        Assert.Equal(ServiceStatus.Invalid, upload.Status);
        Assert.Contains(upload.Errors, e => e.Path == ReasonText.Field);
        Assert.Contains(upload.Errors, e => e.Path == "certificate");
        await world.RefusesEachAsync("upload-certificate", reason => certificates.UploadAsync(world.Spec.Name, Host, new ManualCertificateUpload(null, null, null, reason), Actor, Ct));
    }

    private static UpdateStackCommand Reconfigure(string? reason, (string Component, string Option, string Value)? extra = null)
    {
        var airbyte = new Dictionary<string, string?>(StringComparer.Ordinal) { ["external-hostname"] = "data.example.com" };
        if (extra is { } option)
        {
            airbyte[option.Option] = option.Value;
        }

        return new UpdateStackCommand(new Dictionary<string, IReadOnlyDictionary<string, string?>>(StringComparer.Ordinal) { ["airbyte"] = airbyte }, reason);
    }

    /// <summary>Stack prod deployed as far as these requests look: its record with an applied spec, its namespace and the Secrets
    /// holding its inputs in the sandbox cluster.</summary>
    private sealed class World : IAsyncDisposable
    {
        private World(StackHarness harness, StackSpec spec)
        {
            Harness = harness;
            Spec = spec;
            Stacks = new StackService(
                harness.Database, ComponentCatalog.Default, harness.Get<ClusterRegistry>(), harness.StackSecrets, harness.Get<IStepScheduler>(), harness.Renderer,
                TimeProvider.System, NullLogger<StackService>.Instance);
        }

        public StackHarness Harness { get; }

        public StackSpec Spec { get; }

        public StackService Stacks { get; }

        public static async Task<World> StartAsync(string provider = "postgres")
        {
            var harness = await StackHarness.StartAsync(
                register: s =>
                {
                    s.AddSingleton<IServedCertificateProbe>(new FakeProbe());
                    s.AddSingleton<CertificateService>();
                },
                provider: provider);
            var spec = TestStacks.Minimal();
            await harness.StackSecrets.StoreInputsAsync(spec, Ct);
            var stored = await harness.SaveDeployedStackAsync(spec, Ct);

            return new World(harness, stored);
        }

        /// <summary>Sends each of <see cref="BadReasons"/> and asserts the refusal, that nothing changed and the audit entry.</summary>
        public async Task RefusesEachAsync<T>(string action, Func<string, Task<ServiceResult<T>>> request)
        {
            foreach (var reason in BadReasons)
            {
                var before = await StateAsync();

                var result = await request(reason);

                var what = reason.Contains('\0', StringComparison.Ordinal) ? $"{action} with a NUL" : $"{action} with {reason.Length} characters";
                Assert.True(result.Status == ServiceStatus.Invalid, $"{what}: {result.Status} {result.Message}");
                var error = Assert.Single(result.Errors, e => e.Path == ReasonText.Field);
                Assert.StartsWith("The reason ", error.Message, StringComparison.Ordinal);
                Assert.DoesNotContain("moving on", error.Message, StringComparison.Ordinal);

                var after = await StateAsync();
                Assert.Equal(before.Stack, after.Stack);
                Assert.Equal(before.Operations, after.Operations);
                Assert.Equal(before.Namespaces, after.Namespaces);
                Assert.Equal(before.Secrets, after.Secrets);

                var audit = after.Audit.Where(a => a.Action == action).Except(before.Audit.Where(a => a.Action == action)).ToList();
                var entry = Assert.Single(audit);
                Assert.StartsWith("refused: ", entry.Result, StringComparison.Ordinal);
                Assert.NotNull(entry.Reason);
                Assert.DoesNotContain(entry.Reason, c => char.IsControl(c) || char.IsSurrogate(c));
                Assert.True(entry.Reason.Length <= ReasonText.MaxLength, $"{what}: {entry.Reason.Length} characters audited");
                if (reason.Contains('\0', StringComparison.Ordinal))
                {
                    Assert.Equal("CHG-7\\u0000 moving on", entry.Reason);
                }
            }
        }

        private async Task<State> StateAsync()
        {
            await using var context = Harness.Database.CreateContext();
            var stacks = await context.Stacks.AsNoTracking().OrderBy(s => s.Name)
                .Select(s => $"{s.Name} v{s.Version} active {s.ActiveOperationId} last {s.LastOperationId}").ToListAsync(Ct);
            var operations = await context.Operations.CountAsync(Ct);
            var audit = await context.Audit.AsNoTracking().Select(a => new AuditRow(a.Id, a.Action, a.Reason, a.Result)).ToListAsync(Ct);
            var namespaces = (await Harness.Client.CoreV1.ListNamespaceAsync(cancellationToken: Ct)).Items.Select(n => n.Metadata.Name).Order(StringComparer.Ordinal);
            var secrets = (await Harness.Client.CoreV1.ListNamespacedSecretAsync(Spec.Namespace, cancellationToken: Ct)).Items
                .Select(s => $"{s.Metadata.Name}@{s.Metadata.ResourceVersion}").Order(StringComparer.Ordinal);
            return new State(string.Join("; ", stacks), operations, string.Join(", ", namespaces), string.Join(", ", secrets), audit);
        }

        public ValueTask DisposeAsync() => Harness.DisposeAsync();
    }

    private sealed record State(string Stack, int Operations, string Namespaces, string Secrets, IReadOnlyList<AuditRow> Audit);

    private sealed record AuditRow(long Id, string Action, string? Reason, string Result);
}
