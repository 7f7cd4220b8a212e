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

    public static ChangeSet Compute(StackSpec desired, StackSpec lastApplied)
    {
        var changes = new ChangeSet();
        changes.CompareComponents(desired, lastApplied);
        changes.CompareRelations(desired, lastApplied);
        changes.FindChangedRelations(desired);
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

    private void FindChangedRelations(StackSpec desired)
    {
        var kept = desired.Relations.Where(r => !AddedRelations.Contains(r)).OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        foreach (var relation in kept)
        {
            var rule = InterfaceRules.For(relation.Interface);
            var reasons = new List<string>();
            AddOptionReason(reasons, relation.Provider.Component, ChangedOptions(relation.Provider.Component).Where(rule.ProviderOptionFeeds));
            AddOptionReason(reasons, relation.Requirer.Component, ChangedOptions(relation.Requirer.Component).Where(rule.RequirerOptionFeeds));

            if (relation.Interface == Interfaces.NginxRoute)
            {
                // An authenticating proxy serves on the hostname of the app it fronts, and an app related to a proxy is
                // routed through it: both move with the other side of their http-upstream relation.
                foreach (var upstream in UpstreamsOf(relation.Requirer.Component, desired))
                {
                    if (upstream.Requirer.Component == relation.Requirer.Component && HostnameChanged(upstream.Provider.Component))
                    {
                        reasons.Add($"the hostname of {upstream.Provider.Component} changed");
                    }
                }

                if (UpstreamRelationChanged(relation.Requirer.Component))
                {
                    reasons.Add($"the upstream relation of {relation.Requirer.Component} changed");
                }
            }

            if (relation.Interface == Interfaces.TlsCertificates && RouteHostsChanged(relation.Requirer.Component, desired))
            {
                reasons.Add($"the hostnames of {relation.Requirer.Component} changed");
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

    private bool UpstreamRelationChanged(string component) =>
        AddedRelations.Concat(RemovedRelations).Any(r => r.Interface == Interfaces.HttpUpstream && r.Involves(component));

    private static IEnumerable<RelationSpec> UpstreamsOf(string component, StackSpec spec) =>
        spec.Relations.Where(r => r.Interface == Interfaces.HttpUpstream && r.Involves(component));

    // The hostnames an ingress serves change when a route to it comes or goes, or when a routed component's hostname
    // (or the hostname of the app a routed proxy fronts) changes; the certificates follow the hostnames.
    private bool RouteHostsChanged(string ingress, StackSpec desired)
    {
        if (AddedRelations.Concat(RemovedRelations).Any(r => r.Interface == Interfaces.NginxRoute && r.Provider.Component == ingress))
        {
            return true;
        }

        return desired.Relations
            .Where(r => r.Interface == Interfaces.NginxRoute && r.Provider.Component == ingress)
            .Select(r => r.Requirer.Component)
            .Any(routed => HostnameChanged(routed)
                || UpstreamsOf(routed, desired).Any(u => u.Requirer.Component == routed && HostnameChanged(u.Provider.Component)));
    }

    private static List<string> DifferingOptions(ComponentSpec desired, ComponentSpec before) =>
        desired.Config.Keys.Union(before.Config.Keys)
            .Where(key => !(desired.Config.TryGetValue(key, out var now) && before.Config.TryGetValue(key, out var then) && now == then))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
}
