using Portal.Domain.Plans;
using Portal.Provisioning.Stacks;

namespace Portal.Tests.Fakes;

/// <summary>What the stack service stores about a world's stack: the spec with secrets masked, summaries and operations.</summary>
public static class StoredStacks
{
    public static readonly DateTimeOffset Created = StackWorld.Now - TimeSpan.FromDays(1);

    /// <summary>The stored view: the operator's options, and the secret ones as the service masks them.</summary>
    public static StackView View(StackWorld world, OperationSummary? last = null) => new(
        world.Name,
        world.Spec.Blueprint,
        world.Spec.Cluster,
        world.Spec.Namespace,
        Deployed: true,
        world.Spec.Components.Select(c => new ComponentView(c.Name, c.Kind, c.Kind == "oauth2-proxy"
            ? new Dictionary<string, string>(c.Config) { ["client-secret"] = StackViews.SecretMask, ["cookie-secret"] = StackViews.SecretMask }
            : c.Config)).ToList(),
        world.Spec.Relations.Select(r => new RelationView(r.Requirer.ToString(), r.Provider.ToString(), r.Interface)).ToList(),
        ActiveOperation: null,
        LastOperation: last,
        Created,
        Created);

    public static StackSummary Summary(string name, OperationSummary? active = null, OperationSummary? last = null, bool deployed = true) =>
        new(name, "charmed-airbyte", StackWorld.Cluster, $"airbyte-{name}", deployed, active, last, Created, Created);

    public static OperationSummary Deployed(DateTimeOffset at) => new(Guid.NewGuid(), "Deploy", "Succeeded", at - TimeSpan.FromMinutes(3), at);

    /// <summary>An operation with one step per given key (all succeeded unless a state is given).</summary>
    public static OperationView Operation(string stack, string kind, string state, DateTimeOffset at, string? reason, params (string Key, string State, string? Message)[] steps) => new(
        Guid.NewGuid(), stack, kind, state, "ops@example.com", reason, at, state is "Running" ? null : at + TimeSpan.FromMinutes(2), null, [],
        steps.Select(s => new StepView(s.Key, "Apply", s.Key, "", [], s.State, 0, 1, at, at, s.Message, null)).ToList());

    public static (string, string, string?) Step(string key, string state = "Succeeded", string? message = null) => (key, state, message);

    public static string Apply(string component) => StepIds.Apply(component);
}
