using Portal.Domain.Catalog;

namespace Portal.Domain.Plans;

/// <summary>How far the provider must be before a relation's provider-side work can run.</summary>
internal enum ProviderGate
{
    /// <summary>Only the namespace: the relation's data derives from names the spec already fixes.</summary>
    Namespace,
    /// <summary>The provider's objects are applied (its config, its account key), but it need not be serving.</summary>
    Applied,
    /// <summary>The provider is healthy and has finished its own relations' completion work: it answers requests.</summary>
    Serving,
}

/// <summary>What the planner knows about one relation interface: ordering, and which options feed the relation's data.</summary>
/// <param name="Gate">What of the provider the provider-side work needs.</param>
/// <param name="RequirerStartsAfter">The requirer cannot start without the relation (its pods read the relation Secret, or it
/// is blocked until the provider's work is done), so it is applied after the relation is provisioned.</param>
/// <param name="RequirerRolls">The requirer's pods hold the relation's data from their start, so they are rolled (the
/// requirer applied again) when it changes.</param>
/// <param name="HasCompletion">Part of the provider's work needs the requirer serving (see <see cref="StepKind.CompleteRelation"/>).</param>
/// <param name="ProviderRendersObjects">The relation renders objects that belong to the provider (an nginx-route renders the
/// ingress component's Ingress), so the provider is only healthy once they exist.</param>
/// <param name="RequirerRelationsFirst">Interfaces of the requirer's other relations whose data this relation's work uses.</param>
/// <param name="ProviderOptions">Provider options whose change changes this relation's data; "*" means any option.</param>
/// <param name="RequirerOptions">Requirer options whose change changes this relation's data (what the requirer asks for).</param>
internal sealed record InterfaceRule(
    ProviderGate Gate,
    bool RequirerStartsAfter,
    bool RequirerRolls,
    bool HasCompletion,
    bool ProviderRendersObjects,
    IReadOnlySet<string> RequirerRelationsFirst,
    IReadOnlySet<string> ProviderOptions,
    IReadOnlySet<string> RequirerOptions)
{
    public const string AnyOption = "*";

    public bool ProviderOptionFeeds(string option) => ProviderOptions.Contains(AnyOption) || ProviderOptions.Contains(option);

    public bool RequirerOptionFeeds(string option) => RequirerOptions.Contains(AnyOption) || RequirerOptions.Contains(option);
}

/// <summary>The rules of the interfaces of the Charmed Airbyte stack (COMPONENTS.md §1–2), and why each is so.</summary>
internal static class InterfaceRules
{
    /// <summary>The options that make up a component's public address; routes and certificates follow them.</summary>
    public static readonly IReadOnlySet<string> HostnameOptions = Set("external-hostname");

    private static readonly Dictionary<string, InterfaceRule> Rules = new(StringComparer.Ordinal)
    {
        // The provider creates a database and a login role per relation: PostgreSQL must accept connections first
        // (an in-cluster server ready, an external one accepting the admin login). The requirer's pods read the
        // credentials Secret through secretKeyRef, so they start after it exists and roll when host, port, TLS or the
        // server change. The admin credentials are the provider's own business: changing them changes no relation.
        [Interfaces.PostgresqlClient] = new(
            ProviderGate.Serving, RequirerStartsAfter: true, RequirerRolls: true, HasCompletion: false, ProviderRendersObjects: false,
            RequirerRelationsFirst: Set(),
            ProviderOptions: Set("mode", "host", "port", "sslmode", "ca-certificate"),
            RequirerOptions: Set()),

        // The bucket Job talks to the MinIO API, so MinIO must be ready. The consumer's access and secret keys are
        // MinIO's root credentials; the buckets are the ones the consumer's options name.
        [Interfaces.ObjectStorage] = new(
            ProviderGate.Serving, RequirerStartsAfter: true, RequirerRolls: true, HasCompletion: false, ProviderRendersObjects: false,
            RequirerRelationsFirst: Set(),
            ProviderOptions: Set("root-user", "root-password"),
            RequirerOptions: Set("storage-bucket-logs", "storage-bucket-state", "storage-bucket-workload-output", "storage-bucket-activity-payload")),

        // temporal-admin's schema Jobs connect to Temporal's two databases with Temporal's own credentials, so they
        // run after Temporal's postgresql_client relations; they need the admin tools' config, not a running admin pod.
        // Temporal is blocked until the schemas exist ("schema is not ready"), so it starts after them, but its pods hold
        // nothing of the relation: new schemas or a new retention need no roll. A new Temporal
        // version brings new schema versions: its image tag feeds the relation, so an upgrade runs update-schema first.
        // Creating the Temporal namespace talks to the frontend: that is the completion, after Temporal is healthy.
        [Interfaces.Temporal] = new(
            ProviderGate.Applied, RequirerStartsAfter: true, RequirerRolls: false, HasCompletion: true, ProviderRendersObjects: false,
            RequirerRelationsFirst: Set(Interfaces.PostgresqlClient),
            ProviderOptions: Set("image-tag", "default-namespace", "namespace-retention"),
            RequirerOptions: Set("image-tag")),

        // Airbyte and the webhook receiver start workflows on Temporal as soon as they run: the frontend must serve and
        // its namespace must exist (Serving includes the admin relation's completion), and they read the host at start.
        [Interfaces.TemporalHostInfo] = new(
            ProviderGate.Serving, RequirerStartsAfter: true, RequirerRolls: true, HasCompletion: false, ProviderRendersObjects: false,
            RequirerRelationsFirst: Set(),
            ProviderOptions: Set(),
            RequirerOptions: Set()),

        // A route is an Ingress rendered from the ingress component's settings and the requirer's hostname and Service
        // (deterministic names), so it needs the ingress component applied, not the requirer running: nginx answers 503
        // until the backend is ready. The requirer reads nothing back (its public URL comes from its own hostname).
        // Every ingress option ends up in the Ingress objects, so any of them changes the routes.
        [Interfaces.NginxRoute] = new(
            ProviderGate.Applied, RequirerStartsAfter: false, RequirerRolls: false, HasCompletion: false, ProviderRendersObjects: true,
            RequirerRelationsFirst: Set(),
            ProviderOptions: Set(InterfaceRule.AnyOption),
            RequirerOptions: Set("external-hostname", "path-prefix", "max-body-size")),

        // The upstream is the URL of the provider's web app Service, fixed by names: the proxy can be given it before
        // Airbyte exists (it resolves per request and answers 502 until Airbyte is up), so the proxy does not wait for
        // Airbyte's long start. The proxy reads the URL as a flag at start.
        [Interfaces.HttpUpstream] = new(
            ProviderGate.Namespace, RequirerStartsAfter: true, RequirerRolls: true, HasCompletion: false, ProviderRendersObjects: false,
            RequirerRelationsFirst: Set(),
            ProviderOptions: Set(),
            RequirerOptions: Set()),

        // Issuing needs lego's ACME account (lego healthy). With http-01 the ACME server fetches the challenge through
        // the ingress, so the routes must be served first (the planner adds that edge). The ingress does not wait for
        // its certificates: nginx serves its default certificate until the TLS Secret appears and then picks it up
        // without a restart; waiting would deadlock with http-01. A changed issuer, ACME server or solver re-issues; the
        // maintenance window is the portal's own schedule and touches no relation.
        [Interfaces.TlsCertificates] = new(
            ProviderGate.Serving, RequirerStartsAfter: false, RequirerRolls: false, HasCompletion: false, ProviderRendersObjects: false,
            RequirerRelationsFirst: Set(),
            ProviderOptions: Set("issuer", "server", "plugin", "plugin-credentials", "eab-kid", "eab-hmac", "acme-ca-certificates"),
            RequirerOptions: Set("tls-secret-name")),
    };

    // An interface the planner does not know is treated with the most caution: the provider serving first, the
    // requirer waiting for the data and rolling on any change of either side.
    private static readonly InterfaceRule Unknown = new(
        ProviderGate.Serving, RequirerStartsAfter: true, RequirerRolls: true, HasCompletion: false, ProviderRendersObjects: false,
        RequirerRelationsFirst: Set(),
        ProviderOptions: Set(InterfaceRule.AnyOption),
        RequirerOptions: Set(InterfaceRule.AnyOption));

    public static InterfaceRule For(string @interface) => Rules.TryGetValue(@interface, out var rule) ? rule : Unknown;

    private static HashSet<string> Set(params string[] values) => new(values, StringComparer.Ordinal);
}
