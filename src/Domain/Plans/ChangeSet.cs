using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Stacks;

namespace Portal.Domain.Plans;

/// <summary>What differs between the last applied spec and the desired one, and which kept relations' data changed with it.</summary>
internal sealed class ChangeSet
{
    private ChangeSet()
    {
    }

    /// <summary>Components to apply from scratch: new ones, and ones whose kind changed (removed first).</summary>
    public SortedSet<string> AddedComponents { get; } = new(StringComparer.Ordinal);

    /// <summary>Components to remove: gone from the spec, or replaced by a component of another kind with the same name.</summary>
    public SortedSet<string> RemovedComponents { get; } = new(StringComparer.Ordinal);

    public SortedSet<string> ReplacedComponents { get; } = new(StringComparer.Ordinal);

    /// <summary>Components present in both with the same kind and a different config: the options whose value differs.</summary>
    public SortedDictionary<string, IReadOnlyList<string>> ChangedComponents { get; } = new(StringComparer.Ordinal);

    public List<RelationSpec> AddedRelations { get; } = [];

    public List<RelationSpec> RemovedRelations { get; } = [];

    /// <summary>Relations in both specs whose data changes, with why ("postgresql port changed").</summary>
    public SortedDictionary<string, (RelationSpec Relation, List<string> Reasons)> ChangedRelations { get; } = new(StringComparer.Ordinal);

    public static ChangeSet Compute(StackFacts after, StackFacts before)
    {
        var changes = new ChangeSet();
        changes.CompareComponents(after.Spec, before.Spec);
        changes.CompareRelations(after.Spec, before.Spec);
        changes.FindChangedRelations(after, before);
        return changes;
    }

    public IReadOnlyList<string> ChangedOptions(string component) =>
        ChangedComponents.TryGetValue(component, out var options) ? options : [];

    private void CompareComponents(StackSpec desired, StackSpec lastApplied)
    {
        foreach (var component in desired.Components)
        {
            var before = lastApplied.FindComponent(component.Name);
            if (before is null)
            {
                AddedComponents.Add(component.Name);
            }
            else if (before.Kind != component.Kind)
            {
                ReplacedComponents.Add(component.Name);
                AddedComponents.Add(component.Name);
                RemovedComponents.Add(component.Name);
            }
            else if (!component.ConfigEquals(before))
            {
                ChangedComponents[component.Name] = DifferingOptions(component, before);
            }
        }

        foreach (var component in lastApplied.Components.Where(c => desired.FindComponent(c.Name) is null))
        {
            RemovedComponents.Add(component.Name);
        }
    }

    private void CompareRelations(StackSpec desired, StackSpec lastApplied)
    {
        // A relation of a replaced component is replaced with it: the new kind's objects need it provisioned afresh.
        bool Replaced(RelationSpec r) => ReplacedComponents.Contains(r.Requirer.Component) || ReplacedComponents.Contains(r.Provider.Component);

        AddedRelations.AddRange(desired.Relations.Where(r => !lastApplied.Relations.Contains(r) || Replaced(r)).OrderBy(r => r.Key, StringComparer.Ordinal));
        RemovedRelations.AddRange(lastApplied.Relations.Where(r => !desired.Relations.Contains(r) || Replaced(r)).OrderBy(r => r.Key, StringComparer.Ordinal));
    }

    private void FindChangedRelations(StackFacts after, StackFacts before)
    {
        var kept = after.Relations.Where(r => !AddedRelations.Contains(r)).ToList();
        foreach (var relation in kept)
        {
            var rule = InterfaceRules.For(relation.Interface);
            var requirer = relation.Requirer.Component;
            var reasons = new List<string>();
            AddOptionReason(reasons, relation.Provider.Component, ChangedOptions(relation.Provider.Component).Where(rule.ProviderOptionFeeds));
            AddOptionReason(reasons, requirer, ChangedOptions(requirer).Where(rule.RequirerOptionFeeds));

            // A route also moves with things outside its two components: a proxy serves on the hostname of the app it
            // fronts, and an app related to a proxy is routed through it. Compare what the Ingress would say.
            if (relation.Interface == Interfaces.NginxRoute)
            {
                if (after.RouteHost(requirer) != before.RouteHost(requirer) && !HostnameChanged(requirer))
                {
                    reasons.Add($"the hostname {requirer} is served on changed to {after.RouteHost(requirer)}");
                }

                if (!after.ProxiesOf(requirer).SequenceEqual(before.ProxiesOf(requirer)))
                {
                    reasons.Add($"the backend of the route of {requirer} changed");
                }
            }

            // Certificates follow the set of hostnames the ingress serves, whichever route brought them.
            if (relation.Interface == Interfaces.TlsCertificates && !after.IngressHosts(requirer).SequenceEqual(before.IngressHosts(requirer)))
            {
                reasons.Add($"the hostnames of {requirer} changed to {Phrases.JoinWithAnd(after.IngressHosts(requirer))}");
            }

            if (reasons.Count > 0)
            {
                ChangedRelations[relation.Key] = (relation, reasons);
            }
        }
    }

    private static void AddOptionReason(List<string> reasons, string component, IEnumerable<string> options)
    {
        var list = options.ToList();
        if (list.Count > 0)
        {
            reasons.Add($"{component} {Phrases.JoinWithAnd(list)} changed");
        }
    }

    private bool HostnameChanged(string component) => ChangedOptions(component).Any(InterfaceRules.HostnameOptions.Contains);

    private static List<string> DifferingOptions(ComponentSpec desired, ComponentSpec before) =>
        desired.Config.Keys.Union(before.Config.Keys)
            .Where(key => !(desired.Config.TryGetValue(key, out var now) && before.Config.TryGetValue(key, out var then) && now == then))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
}
