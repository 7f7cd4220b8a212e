using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Stacks;

namespace Portal.Provisioning.Rendering;

/// <summary>Everything a renderer needs to turn one component of a stack into Kubernetes objects.</summary>
/// <param name="SecretRevisions">Live revision of each portal-managed Secret (by object name); stamped on pod templates so
/// that a new revision rolls exactly the workloads that load it. A Secret not listed is at revision 1.</param>
internal sealed record RenderContext(
    StackSpec Stack,
    ComponentSpec Component,
    ComponentKind Kind,
    ComponentCatalog Catalog,
    IReadOnlyDictionary<string, int> SecretRevisions)
{
    public string Namespace => Stack.Namespace;

    public string Name => Component.Name;

    /// <summary>The effective value of an option of this component (explicit, else default, else empty).</summary>
    public string Option(string name) => Component.Get(Kind, name) ?? "";

    /// <summary>The relation on one of this component's requires endpoints, if related.</summary>
    public RelationSpec? RequiredRelation(string endpoint) =>
        Stack.Relations.FirstOrDefault(r => r.Requirer.Component == Name && r.Requirer.Endpoint == endpoint);

    /// <summary>The relations on one of this component's provides endpoints.</summary>
    public IEnumerable<RelationSpec> ProvidedRelations(string endpoint) =>
        Stack.Relations.Where(r => r.Provider.Component == Name && r.Provider.Endpoint == endpoint);

    public int RevisionOf(string secretName) => SecretRevisions.TryGetValue(secretName, out var revision) ? revision : 1;

    /// <summary>A component of the same stack with its kind.</summary>
    public (ComponentSpec Spec, ComponentKind Kind) Peer(string component)
    {
        var spec = Stack.Component(component);
        return (spec, Catalog.Get(spec.Kind));
    }
}
