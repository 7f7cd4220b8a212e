using Microsoft.AspNetCore.Components;
using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;
using Portal.Domain.Status;
using Portal.Domain.Status.Observation;
using Portal.Provisioning.Live;

namespace Portal.Features.Topology;

/// <summary>One relation (an edge): what it carries (key names, never values), each of its checks with the result, which
/// revision of its Secret the requirer's pods loaded, and the objects it produced.</summary>
public sealed partial class RelationDrawer
{
    private RelationSpec? _spec;
    private RelationState? _state;
    private string? _secretName;
    private ObservedSecret? _secret;
    private IReadOnlyList<string> _keys = [];
    private IReadOnlyList<(string Pod, int? Revision)> _consumers = [];
    private IReadOnlyList<ObservedObject> _objects = [];

    [Inject]
    public required ComponentCatalog Catalog { get; init; }

    [Parameter, EditorRequired]
    public required LiveStack Stack { get; set; }

    /// <summary>The relation's key (<see cref="RelationSpec.Key"/>).</summary>
    [Parameter, EditorRequired]
    public required string RelationKey { get; set; }

    [Parameter]
    public EventCallback OnClose { get; set; }

    private string Carries => _spec is null ? "" : _spec.Interface switch
    {
        Interfaces.PostgresqlClient => $"A database on {_spec.Provider.Component} for {_spec.Requirer.Component}: its endpoint and login, in a Secret the provider writes and {_spec.Requirer.Component}'s pods read.",
        Interfaces.ObjectStorage => $"Object storage on {_spec.Provider.Component}: its endpoint and access keys, in a Secret {_spec.Requirer.Component}'s pods read.",
        Interfaces.TemporalHostInfo => $"Where {_spec.Provider.Component}'s frontend listens, in a Secret {_spec.Requirer.Component}'s pods read.",
        Interfaces.Temporal => $"{_spec.Provider.Component} sets up {_spec.Requirer.Component}'s schemas and namespace with the Job {ObjectNames.RelationJob(_spec, RelationContracts.SchemaJobPurpose)}.",
        Interfaces.NginxRoute => $"The Ingress {ObjectNames.Ingress(_spec.Provider.Component, _spec.Requirer.Component)} routes {_spec.Requirer.Component}'s hostname to its Service.",
        Interfaces.TlsCertificates => $"A kubernetes.io/tls Secret per hostname {_spec.Requirer.Component} serves, issued by {_spec.Provider.Component}.",
        Interfaces.HttpUpstream => $"{_spec.Requirer.Component} forwards to the Service {UpstreamService}.",
        _ => $"The {_spec.Interface} interface.",
    };

    private string UpstreamService =>
        _spec is not null && Stack.Spec.FindComponent(_spec.Provider.Component) is { } provider && Catalog.TryGet(provider.Kind, out var kind)
            ? RelationContracts.UpstreamService(kind, provider.Name)
            : _spec?.Provider.Component ?? "";

    protected override void OnParametersSet()
    {
        _spec = Stack.Spec.Relations.FirstOrDefault(r => r.Key == RelationKey);
        _state = Stack.Status.FindRelation(RelationKey);
        if (_spec is null)
        {
            return;
        }

        _keys = RelationContracts.SecretKeys(_spec.Interface);
        _secretName = _keys.Count > 0 ? ObjectNames.RelationSecret(_spec) : null;
        _secret = _secretName is null ? null : Stack.Observation.Find<ObservedSecret>(_secretName);
        _consumers = _secretName is null
            ? []
            : Stack.Observation.ForComponent(_spec.Requirer.Component).OfType<ObservedPod>()
                .OrderBy(p => p.Name, StringComparer.Ordinal)
                .Select(p => (p.Name, p.SecretRevisions.TryGetValue(_secretName, out var revision) ? revision : (int?)null))
                .ToList();
        _objects = Stack.Observation.ForRelation(_spec).OrderBy(o => o.Kind, StringComparer.Ordinal).ThenBy(o => o.Name, StringComparer.Ordinal).ToList();
    }
}
