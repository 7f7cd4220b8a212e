using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Naming;
using Portal.Domain.Stacks;

namespace Portal.Domain.Plans;

/// <summary>Facts about one stack that ordering and descriptions need: effective options, hostnames, databases, volumes.</summary>
internal sealed class StackFacts(StackSpec spec, ComponentCatalog catalog)
{
    public StackSpec Spec { get; } = spec;

    public ComponentKind KindOf(string component) => catalog.Get(Spec.Component(component).Kind);

    public string? Option(string component, string option) => Spec.Component(component).Get(KindOf(component), option);

    /// <summary>The relations in key order, so that everything built from them is deterministic.</summary>
    public IReadOnlyList<RelationSpec> Relations { get; } = [.. spec.Relations.OrderBy(r => r.Key, StringComparer.Ordinal)];

    public IReadOnlyList<string> ComponentNames { get; } = [.. spec.Components.Select(c => c.Name).Order(StringComparer.Ordinal)];

    /// <summary>The public hostname a component's route serves: its own, or for an authenticating proxy without one,
    /// the hostname of the app it fronts (the proxy's <c>/oauth2/</c> paths live on Airbyte's host).</summary>
    public string? RouteHost(string component)
    {
        if (NonEmpty(Option(component, "external-hostname")) is { } own)
        {
            return own;
        }

        return Relations
            .Where(r => r.Interface == Interfaces.HttpUpstream && r.Requirer.Component == component)
            .Select(r => NonEmpty(Option(r.Provider.Component, "external-hostname")))
            .FirstOrDefault(host => host is not null);
    }

    public string RoutePath(string component) => NonEmpty(Option(component, "path-prefix")) ?? "/";

    /// <summary>The components an app is served through: the requirers of its http-upstream (its route's backend is the proxy).</summary>
    public IReadOnlyList<string> ProxiesOf(string component) =>
        Relations.Where(r => r.Interface == Interfaces.HttpUpstream && r.Provider.Component == component)
            .Select(r => r.Requirer.Component).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The hostnames an ingress serves, from the routes related to it.</summary>
    public IReadOnlyList<string> IngressHosts(string ingress) =>
        Relations.Where(r => r.Interface == Interfaces.NginxRoute && r.Provider.Component == ingress)
            .Select(r => RouteHost(r.Requirer.Component))
            .OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>True when a certificate provider answers challenges through the ingress (lego's default http-01), so the
    /// routes must be served before it can issue; dns-01 needs nothing from the ingress. An unknown provider is assumed to.</summary>
    public bool IssuesThroughRoutes(string provider) =>
        KindOf(provider).Name != LegoKind.Name || Option(provider, "plugin") is null or "http-01";

    public bool IsExternalDatabase(string component) =>
        KindOf(component).Name == PostgresqlKind.Name && Option(component, "mode") == PostgresqlKind.External;

    /// <summary>The long-running workloads a component runs (Jobs are one-offs of apply or of relations).</summary>
    public IReadOnlyList<WorkloadDefinition> Workloads(string component) =>
        IsExternalDatabase(component)
            ? [] // The StatefulSet of the postgresql kind runs only in-cluster; an external server is not ours to run.
            : KindOf(component).Workloads.Where(w => w.Type != WorkloadType.Job).ToList();

    /// <summary>The persistent volumes a component's StatefulSets claim.</summary>
    public IReadOnlyList<VolumeDefinition> Volumes(string component) =>
        Workloads(component).Where(w => w.Type == WorkloadType.StatefulSet && w.Volume is not null).Select(w => w.Volume!).ToList();

    public string Database(RelationSpec relation) => ObjectNames.Database(Spec.Name, relation);

    /// <summary>The databases of the requirer's postgresql_client relations (Temporal's main and visibility databases).</summary>
    public IReadOnlyList<string> DatabasesOf(string requirer) =>
        Relations.Where(r => r.Interface == Interfaces.PostgresqlClient && r.Requirer.Component == requirer).Select(Database).ToList();

    /// <summary>The buckets a requirer asks an object-storage provider for, from the options that name them.</summary>
    public IReadOnlyList<string> Buckets(string requirer)
    {
        var rule = InterfaceRules.For(Interfaces.ObjectStorage);
        return KindOf(requirer).Options
            .Where(o => rule.RequirerOptions.Contains(o.Name))
            .Select(o => NonEmpty(Option(requirer, o.Name)))
            .OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
