using Portal.Domain.Catalog;
using Portal.Domain.Operations;
using Portal.Domain.Stacks;
using Portal.Provisioning.Persistence;

namespace Portal.Provisioning.Stacks;

/// <summary>Builds the public read models from stored records, masking every secret option.</summary>
public static class StackViews
{
    /// <summary>What a secret option shows instead of its value.</summary>
    public const string SecretMask = "(secret)";

    internal static StackSummary Summary(StackRecord record, IReadOnlyDictionary<Guid, OperationSummary> operations) => new(
        record.Name,
        record.Blueprint,
        record.Cluster,
        record.Namespace,
        record.Applied is not null,
        Find(operations, record.ActiveOperationId),
        Find(operations, record.LastOperationId),
        record.CreatedAt,
        record.UpdatedAt);

    internal static StackView View(StackRecord record, ComponentCatalog catalog, IReadOnlyDictionary<Guid, OperationSummary> operations) => new(
        record.Name,
        record.Blueprint,
        record.Cluster,
        record.Namespace,
        record.Applied is not null,
        record.Spec.Components.Select(c => new ComponentView(c.Name, c.Kind, MaskedConfig(c, catalog, record.SecretOptions))).ToList(),
        record.Spec.Relations.Select(r => new RelationView(r.Requirer.ToString(), r.Provider.ToString(), r.Interface)).ToList(),
        Find(operations, record.ActiveOperationId),
        Find(operations, record.LastOperationId),
        record.CreatedAt,
        record.UpdatedAt);

    internal static OperationSummary Summary(Operation operation) =>
        new(operation.Id, operation.Kind.ToString(), operation.State.ToString(), operation.CreatedAt, operation.FinishedAt);

    internal static OperationView View(Operation operation) => new(
        operation.Id,
        operation.Stack,
        operation.Kind.ToString(),
        operation.State.ToString(),
        operation.RequestedBy,
        operation.Reason,
        operation.CreatedAt,
        operation.FinishedAt,
        operation.Error,
        operation.Keeps,
        operation.Steps.OrderBy(s => s.Order).Select(s => new StepView(
            s.Key,
            s.Kind.ToString(),
            s.Description,
            s.WaitsFor,
            s.DependsOn,
            s.State.ToString(),
            s.FailedAttempts,
            s.Runs,
            s.StartedAt,
            s.FinishedAt,
            s.Message,
            s.Error)).ToList());

    /// <summary>The options the operator set, plus every secret option that holds a value in the cluster shown as
    /// <see cref="SecretMask"/>.</summary>
    /// <remarks>The stored spec has no secret options at all, so "holds a value" is judged from the kind (a required or
    /// generated secret always has one, a conditionally required one when its condition holds) and from the names of the
    /// secret options the operator gave (<paramref name="secretOptionsSet"/>, <c>component.option</c>).</remarks>
    internal static IReadOnlyDictionary<string, string> MaskedConfig(ComponentSpec component, ComponentCatalog catalog, IReadOnlyCollection<string> secretOptionsSet)
    {
        var config = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!catalog.TryGet(component.Kind, out var kind))
        {
            return config;
        }

        foreach (var (option, value) in component.Config)
        {
            config[option] = kind.FindOption(option) is { Secret: true } ? SecretMask : value;
        }

        foreach (var option in kind.Options.Where(o => o.Secret
            && (HoldsValue(o, component, kind) || secretOptionsSet.Contains($"{component.Name}.{o.Name}", StringComparer.Ordinal))))
        {
            config[option.Name] = SecretMask;
        }

        return config;
    }

    /// <summary>A readable list of what a change does to the explicit config, secret options masked.</summary>
    internal static string Diff(StackSpec? before, StackSpec after, ComponentCatalog catalog) =>
        string.Join('\n', OptionChanges(before, after, catalog).Select(Line));

    /// <summary>Every option whose explicit value differs between two specs, by component then option; a secret option's
    /// values read <see cref="SecretMask"/>.</summary>
    internal static IReadOnlyList<OptionChange> OptionChanges(StackSpec? before, StackSpec after, ComponentCatalog catalog)
    {
        var changes = new List<OptionChange>();
        var components = (before?.Components.Select(c => c.Name) ?? []).Union(after.Components.Select(c => c.Name), StringComparer.Ordinal);
        foreach (var name in components.Order(StringComparer.Ordinal))
        {
            var old = before?.FindComponent(name);
            var @new = after.FindComponent(name);
            var kindName = (@new ?? old)!.Kind;
            catalog.TryGet(kindName, out var kind);
            var options = (old?.Config.Keys ?? []).Union(@new?.Config.Keys ?? [], StringComparer.Ordinal).Order(StringComparer.Ordinal);
            foreach (var option in options)
            {
                string? was = old is not null && old.Config.TryGetValue(option, out var w) ? w : null;
                string? now = @new is not null && @new.Config.TryGetValue(option, out var n) ? n : null;
                if (was == now)
                {
                    continue;
                }

                var secret = kind?.FindOption(option) is { Secret: true };
                changes.Add(secret
                    ? new OptionChange(name, option, was is null ? null : SecretMask, now is null ? null : SecretMask, Secret: true)
                    : new OptionChange(name, option, was, now, Secret: false));
            }
        }

        return changes;
    }

    /// <summary>The relations one spec has and the other not: removed ones first, each list by key.</summary>
    internal static IReadOnlyList<RelationChange> RelationChanges(StackSpec before, StackSpec after) =>
        before.Relations.Where(r => !after.Relations.Contains(r)).OrderBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => new RelationChange(r.Requirer.ToString(), r.Provider.ToString(), r.Interface, Added: false))
            .Concat(after.Relations.Where(r => !before.Relations.Contains(r)).OrderBy(r => r.Key, StringComparer.Ordinal)
                .Select(r => new RelationChange(r.Requirer.ToString(), r.Provider.ToString(), r.Interface, Added: true)))
            .ToList();

    /// <summary>One line of an audit diff: <c>+ path = value</c>, <c>- path (was value)</c> or <c>~ path: before → after</c>.</summary>
    internal static string Line(OptionChange change)
    {
        var path = $"{change.Component}.{change.Option}";
        return (change.Before, change.After) switch
        {
            (null, _) => $"+ {path} = {change.After}",
            (_, null) => $"- {path} (was {change.Before})",
            _ => change.Secret ? $"~ {path} changed ({SecretMask})" : $"~ {path}: {change.Before} → {change.After}",
        };
    }

    internal static string Line(RelationChange change) =>
        $"{(change.Added ? "+" : "-")} relation {change.Requirer} → {change.Provider}";

    private static bool HoldsValue(ConfigOptionDefinition option, ComponentSpec component, ComponentKind kind) =>
        option.Required
        || option.Generated
        || (option.RequiredWhen is { } condition && component.Get(kind, condition.Option) is { } value && condition.Values.Contains(value));

    private static OperationSummary? Find(IReadOnlyDictionary<Guid, OperationSummary> operations, Guid? id) =>
        id is { } key && operations.TryGetValue(key, out var summary) ? summary : null;
}
