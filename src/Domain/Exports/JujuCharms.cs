using Portal.Domain.Catalog.Kinds;

namespace Portal.Domain.Exports;

/// <summary>The charm a component kind is deployed with on the charmed path, and the channel the export asks for.</summary>
/// <param name="Charm">The Charmhub name, or a local path for a kind no public charm exists for.</param>
/// <param name="Channel">The channel; null for a local charm.</param>
/// <param name="Trust">Whether the charm needs <c>--trust</c> (it creates Kubernetes objects beyond its own pods).</param>
/// <param name="Note">A sentence the bundle carries above the application, when the operator must do something.</param>
public sealed record JujuCharm(string Charm, string? Channel, bool Trust, string? Note = null);

/// <summary>Which charm runs each kind of the Charmed Airbyte world (the seed architecture's charms).</summary>
/// <remarks>Channels are the tracks the portal's catalog follows; check them with <c>juju info &lt;charm&gt;</c> before a
/// deploy, as charms move tracks. <c>airbyte-webhooks</c> has no public charm (COMPONENTS.md): the bundle names a local
/// charm file the operator builds.</remarks>
public static class JujuCharms
{
    private static readonly Dictionary<string, JujuCharm> s_charms = new(StringComparer.Ordinal)
    {
        ["airbyte"] = new("airbyte-k8s", "latest/edge", Trust: true),
        ["temporal"] = new("temporal-k8s", "latest/stable", Trust: false),
        ["temporal-admin"] = new("temporal-admin-k8s", "latest/stable", Trust: false),
        ["airbyte-webhooks"] = new("./charms/airbyte-webhooks-k8s.charm", null, Trust: false,
            "No public charm exists for airbyte-webhooks: build yours (charmcraft pack) and put it at this path."),
        ["oauth2-proxy"] = new("oauth2-proxy-k8s", "latest/edge", Trust: false),
        ["nginx-ingress"] = new("nginx-ingress-integrator", "latest/stable", Trust: true),
        ["lego"] = new("lego", "4/stable", Trust: false),
        ["minio"] = new("minio", "ckf-1.9/stable", Trust: true),
        [PostgresqlKind.Name] = new("postgresql-k8s", "14/stable", Trust: true),
    };

    /// <summary>The charm of a kind; throws for a kind the catalog does not have.</summary>
    public static JujuCharm For(string kind) =>
        s_charms.TryGetValue(kind, out var charm) ? charm : throw new KeyNotFoundException($"No charm is known for kind '{kind}'.");
}
