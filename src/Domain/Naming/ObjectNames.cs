using System.Text;
using Portal.Domain.Blueprints;

namespace Portal.Domain.Naming;

/// <summary>Deterministic Kubernetes object names, so that every write is idempotent and every reader finds the same object.</summary>
/// <remarks>Names derive from component and endpoint names only, never from a kind's charm name (no <c>airbyte-k8s</c> anywhere).</remarks>
public static class ObjectNames
{
    /// <summary>A workload (and its Service): <c>&lt;component&gt;</c> or <c>&lt;component&gt;-&lt;workload&gt;</c>.</summary>
    public static string Workload(string component, string workload) =>
        workload.Length == 0 ? component : $"{component}-{workload}";

    /// <summary>The Secret holding a component's secret options (client secret, cookie secret, admin password…).</summary>
    public static string ComponentSecret(string component) => $"{component}-secrets";

    /// <summary>The ConfigMap holding a component's rendered non-secret config.</summary>
    public static string ComponentConfig(string component) => $"{component}-config";

    /// <summary>The Secret a relation's provider writes for the requirer (credentials, endpoint): <c>&lt;requirer&gt;-&lt;endpoint&gt;-relation</c>.</summary>
    public static string RelationSecret(RelationSpec relation) =>
        $"{relation.Requirer.Component}-{relation.Requirer.Endpoint}-relation";

    /// <summary>A one-off Job a relation runs (database roles, buckets, schemas): <c>&lt;requirer&gt;-&lt;endpoint&gt;-&lt;purpose&gt;</c>.</summary>
    public static string RelationJob(RelationSpec relation, string purpose) =>
        $"{relation.Requirer.Component}-{relation.Requirer.Endpoint}-{purpose}";

    /// <summary>The Ingress of a route: <c>&lt;ingress&gt;-&lt;requirer&gt;</c>.</summary>
    public static string Ingress(string ingressComponent, string requirerComponent) => $"{ingressComponent}-{requirerComponent}";

    /// <summary>The <c>kubernetes.io/tls</c> Secret of a hostname: <c>tls-&lt;hostname with dots as dashes&gt;</c>.</summary>
    public static string TlsSecret(string hostname)
    {
        var builder = new StringBuilder("tls-", hostname.Length + 4);
        foreach (var c in hostname.ToLowerInvariant())
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '-');
        }

        return builder.ToString();
    }

    /// <summary>A kept previous revision of a portal-managed Secret: <c>&lt;secret&gt;-rev-&lt;n&gt;</c>.</summary>
    public static string SecretRevision(string secret, int revision) => $"{secret}-rev-{revision}";

    /// <summary>The database a relation gets on PostgreSQL: <c>&lt;stack&gt;_&lt;requirer&gt;[_&lt;endpoint&gt;]</c>, lower case, underscores.</summary>
    /// <remarks>The <c>db</c> endpoint gives <c>&lt;stack&gt;_airbyte</c> and <c>&lt;stack&gt;_temporal</c>; others add the endpoint
    /// (<c>&lt;stack&gt;_temporal_visibility</c>), matching COMPONENTS.md.</remarks>
    public static string Database(string stack, RelationSpec relation)
    {
        var name = relation.Requirer.Endpoint == "db"
            ? $"{stack}_{relation.Requirer.Component}"
            : $"{stack}_{relation.Requirer.Component}_{relation.Requirer.Endpoint}";
        return name.Replace('-', '_').ToLowerInvariant();
    }

    /// <summary>The login role a relation gets on PostgreSQL: the database name (one role per relation, owner of its database).</summary>
    public static string DatabaseRole(string stack, RelationSpec relation) => Database(stack, relation);
}
