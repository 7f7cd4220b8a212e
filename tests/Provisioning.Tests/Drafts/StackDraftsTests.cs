using k8s;
using k8s.Models;
using Portal.Domain.Catalog;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Stacks;

namespace Portal.Provisioning.Tests.Drafts;

/// <summary>Validate and preview: the checks of a create without saving anything, and what a deploy would create.</summary>
public sealed class StackDraftsTests
{
    [Fact]
    public async Task Validate_a_valid_draft_gives_the_plan_in_one_sentence_and_saves_nothing()
    {
        await using var harness = await DraftHarness.StartAsync();

        var result = await harness.Drafts.ValidateAsync(DraftCommands.Valid(), TestContext.Current.CancellationToken);

        Assert.True(result.IsSuccess, result.Message);
        Assert.StartsWith("Deploy draft into namespace draft in ", result.Value, StringComparison.Ordinal);
        Assert.Equal((0, 0), await harness.CountAsync());
    }

    [Fact]
    public async Task Validate_reports_every_error_at_once_with_field_paths_and_saves_nothing()
    {
        await using var harness = await DraftHarness.StartAsync();
        var command = DraftCommands.Valid(configure: config =>
        {
            config["airbyte"]["external-hostname"] = "not a hostname";
            config["lego"]["email"] = "nobody";
            config["postgresql"].Remove("admin-password");
        }) with { Cluster = "nowhere" };

        var result = await harness.Drafts.ValidateAsync(command, TestContext.Current.CancellationToken);

        Assert.Equal(ServiceStatus.Invalid, result.Status);
        var paths = result.Errors.Select(e => e.Path).ToList();
        Assert.Contains("cluster", paths);
        Assert.Contains(paths, p => p.Contains("airbyte", StringComparison.Ordinal) && p.Contains("external-hostname", StringComparison.Ordinal));
        Assert.Contains(paths, p => p.Contains("lego", StringComparison.Ordinal) && p.Contains("email", StringComparison.Ordinal));
        Assert.Contains(paths, p => p.Contains("postgresql", StringComparison.Ordinal) && p.Contains("admin-password", StringComparison.Ordinal));
        Assert.Equal((0, 0), await harness.CountAsync());
    }

    [Fact]
    public async Task Validate_refuses_a_name_and_a_namespace_other_stacks_use_but_reuses_a_torn_down_stack_s_name()
    {
        await using var harness = await DraftHarness.StartAsync();
        await AddStackAsync(harness.Database, "taken", "taken-ns");
        await AddStackAsync(harness.Database, "elsewhere", "shared-ns");
        await AddStackAsync(harness.Database, "gone", "gone", tornDown: true);
        var before = await harness.CountAsync();
        var ct = TestContext.Current.CancellationToken;

        var clash = await harness.Drafts.ValidateAsync(DraftCommands.Valid("taken", "shared-ns"), ct);
        var reuse = await harness.Drafts.ValidateAsync(DraftCommands.Valid("gone"), ct);

        Assert.Equal(ServiceStatus.Invalid, clash.Status);
        Assert.Collection(
            clash.Errors.OrderBy(e => e.Path, StringComparer.Ordinal),
            name => Assert.Equal(("name", true), (name.Path, name.Message.Contains("A stack named taken already exists", StringComparison.Ordinal))),
            place => Assert.Equal(("namespace", true), (place.Path, place.Message.Contains("already holds stack elsewhere", StringComparison.Ordinal))));
        Assert.True(reuse.IsSuccess, reuse.Message);
        Assert.Equal(before, await harness.CountAsync());
    }

    [Fact]
    public async Task Preview_lists_the_plan_s_steps_in_order_and_every_rendered_object_with_no_secret_value()
    {
        await using var harness = await DraftHarness.StartAsync();
        var command = DraftCommands.Valid();

        var result = await harness.Drafts.PreviewAsync(command, TestContext.Current.CancellationToken);

        Assert.True(result.IsSuccess, result.Message);
        var preview = result.Value;
        var spec = StackValidator.Validate(
            new StackRequest { Name = command.Name, Blueprint = command.Blueprint, Cluster = command.Cluster, Config = command.Config },
            ComponentCatalog.Default, [DraftHarness.ClusterName], DateTimeOffset.UtcNow).Value.WithoutSecrets(ComponentCatalog.Default);
        var plan = StackPlanner.Default.Deploy(spec).Value;
        Assert.Equal(plan.Summary, preview.Summary);
        Assert.Equal(plan.Steps.Select(s => s.Id), preview.Steps.Select(s => s.Key));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in preview.Steps)
        {
            Assert.All(step.DependsOn, d => Assert.Contains(d, seen));
            seen.Add(step.Key);
        }

        Assert.Contains(preview.Steps, s => s.Kind == nameof(StepKind.EnsureNamespace));
        Assert.Contains(preview.Objects, o => o is { Kind: "Deployment", Component: "airbyte" });
        Assert.Contains(preview.Objects, o => o.Kind == "Ingress");
        Assert.All(preview.Objects, o =>
        {
            var parsed = KubernetesYaml.LoadAllFromString(o.Yaml);
            Assert.Equal(o.Name, Assert.IsAssignableFrom<IKubernetesObject<V1ObjectMeta>>(Assert.Single(parsed)).Metadata.Name);
            Assert.Contains($"name: {o.Name}", o.Yaml, StringComparison.Ordinal);
            Assert.Contains($"kind: {o.Kind}", o.Yaml, StringComparison.Ordinal);
        });
        var everything = string.Join("\n", preview.Objects.Select(o => o.Yaml)) + string.Join("\n", preview.Steps.Select(s => s.Description + s.WaitsFor));
        Assert.All(DraftCommands.Secrets, secret => Assert.DoesNotContain(secret, everything, StringComparison.Ordinal));
        Assert.Equal((0, 0), await harness.CountAsync());
    }

    [Fact]
    public async Task Preview_of_an_invalid_draft_is_invalid_with_the_validation_errors()
    {
        await using var harness = await DraftHarness.StartAsync();

        var result = await harness.Drafts.PreviewAsync(DraftCommands.Valid() with { Blueprint = "nope" }, TestContext.Current.CancellationToken);

        Assert.Equal(ServiceStatus.Invalid, result.Status);
        Assert.Contains(result.Errors, e => e.Path == "blueprint");
    }

    private static async Task AddStackAsync(PortalDatabase database, string name, string @namespace, bool tornDown = false)
    {
        var spec = TestStacks.Minimal(name, @namespace).WithoutSecrets(ComponentCatalog.Default);
        await using var context = database.CreateContext();
        Guid? last = null;
        if (tornDown)
        {
            var plan = StackPlanner.Default.Teardown(spec, TeardownOptions.Create(false, false, false).Value).Value;
            var operation = Operation.Start(Guid.NewGuid(), OperationKind.Teardown, plan, spec, "ops@example.com", "test", DateTimeOffset.UtcNow);
            var now = DateTimeOffset.UtcNow;
            while (operation.DueSteps(now) is [var step, ..])
            {
                operation.Begin(step.Id, now, StepPolicy.Default);
                operation.Complete(step.Id, now);
            }

            Assert.Equal(OperationState.Succeeded, operation.State);

            context.Operations.Add(operation);
            last = operation.Id;
        }

        context.Stacks.Add(new StackRecord
        {
            Id = Guid.NewGuid(),
            Name = name,
            Blueprint = spec.Blueprint,
            Cluster = DraftHarness.ClusterName,
            Namespace = @namespace,
            Spec = spec,
            LastOperationId = last,
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
        });
        await context.SaveChangesAsync(TestContext.Current.CancellationToken);
    }
}
