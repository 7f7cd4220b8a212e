using Portal.Domain.Catalog;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Certificates;
using Portal.Domain.Naming;
using Portal.Domain.Stacks;

namespace Portal.Domain.Secrets;

/// <summary>One secret a stack owns, where it lives and how it is rotated; never its value.</summary>
/// <param name="Owner">The component that owns it (the provider, for a relation's credentials).</param>
/// <param name="Definition">The catalog's definition: source, rotation strategy, what users notice.</param>
/// <param name="KubernetesSecret">The Kubernetes Secret that holds it.</param>
/// <param name="Keys">The keys of that Secret that make up the value (fingerprinted together); empty for the whole Secret.</param>
/// <param name="Copies">Other Secrets the portal copies the value into for consumers (MinIO's credentials in each object-storage
/// relation's Secret); their consumers restart too.</param>
/// <param name="NotRotatable">Why the portal cannot rotate it, or null.</param>
public sealed record StackSecret(
    SecretId Id,
    string Description,
    string Owner,
    SecretDefinition Definition,
    string KubernetesSecret,
    IReadOnlyList<string> Keys,
    IReadOnlyList<string> Copies,
    string? NotRotatable)
{
    public string Name => Id.Secret;

    /// <summary>The Secret and key as an operator looks them up: <c>airbyte-db-relation/password</c>.</summary>
    public string Location => Keys.Count == 1 ? $"{KubernetesSecret}/{Keys[0]}" : KubernetesSecret;

    /// <summary>Every Secret whose loaders restart when it rotates: its own and the copies.</summary>
    public IReadOnlyList<string> LoadedAs => [KubernetesSecret, .. Copies];
}

/// <summary>Which secrets a stack owns (issue #8's inventory), from the catalog's secret definitions of each component kind and the
/// stack's relations: a PostgreSQL relation's password per relation (airbyte, temporal, temporal visibility), MinIO's root
/// credentials, the OAuth2 Proxy's cookie and client secrets, the webhook signing secret, <c>airbyte-auth-secrets</c>, the ACME
/// account key and DNS-provider credentials when lego uses ACME, and read-only the external database's admin credentials.</summary>
public static class SecretInventory
{
    /// <summary>The key of the ACME account's private key in <c>&lt;lego&gt;-acme-account</c> (the lego issuer's).</summary>
    public const string AcmeAccountKey = "account.key";

    /// <summary>Why the portal does not rotate <c>airbyte-auth-secrets</c>.</summary>
    public const string AirbyteAuthSecretsNotRotatable =
        "Airbyte's bootloader writes this Secret. The only keys Airbyte's workloads load from it are the dataplane client credentials, which the "
        + "bootloader also registers in Airbyte's database, where the portal cannot change them; new values in the Secret alone would lock the workers out.";

    /// <summary>The lego option that holds the stack's maintenance window.</summary>
    public const string MaintenanceWindowOption = "maintenance-window";

    /// <summary>The secrets of <paramref name="stack"/>, by component then name.</summary>
    public static IReadOnlyList<StackSecret> Of(StackSpec stack, ComponentCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(catalog);
        var secrets = new List<StackSecret>();
        foreach (var component in stack.Components)
        {
            if (!catalog.TryGet(component.Kind, out var kind))
            {
                continue;
            }

            foreach (var definition in kind.Secrets)
            {
                secrets.AddRange(Expand(stack, component, kind, definition));
            }
        }

        return secrets.OrderBy(s => s.Id.Component, StringComparer.Ordinal).ThenBy(s => s.Id.Secret, StringComparer.Ordinal).ToList();
    }

    /// <summary>The stack's maintenance window: the first lego component's <c>maintenance-window</c> option (one window per stack,
    /// shared by rotations, renewals and restarts); null (any time) when empty or unusable.</summary>
    public static MaintenanceWindow? WindowOf(StackSpec stack, ComponentCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(catalog);
        var lego = stack.Components.FirstOrDefault(c => c.Kind == LegoKind.Name);
        var text = lego is null || !catalog.TryGet(lego.Kind, out var kind) ? null : lego.Get(kind, MaintenanceWindowOption);
        return string.IsNullOrWhiteSpace(text) || MaintenanceWindow.Parse(text) is not { IsSuccess: true } parsed ? null : parsed.Value;
    }

    /// <summary>The window as an operator reads it: <c>02:00-04:00 UTC</c> or <c>any time</c>.</summary>
    public static string WindowText(MaintenanceWindow? window) => window?.ToString() ?? "any time";

    private static IEnumerable<StackSecret> Expand(StackSpec stack, ComponentSpec component, ComponentKind kind, SecretDefinition definition)
    {
        var own = ObjectNames.ComponentSecret(component.Name);
        switch (kind.Name, definition.Name)
        {
            case (PostgresqlKind.Name, "relation-password"):
                foreach (var relation in stack.Relations.Where(r => r.Provider.Component == component.Name && r.Interface == Interfaces.PostgresqlClient))
                {
                    var id = new SecretId(component.Name, $"{relation.Requirer.Component}-{relation.Requirer.Endpoint}");
                    yield return Make(id, $"Password of the login role of {relation.Requirer.Component}'s {relation.Requirer.Endpoint} relation (database {ObjectNames.Database(stack.Name, relation)}).",
                        component, definition, ObjectNames.RelationSecret(relation), [RelationData.Password]);
                }

                break;
            case (PostgresqlKind.Name, "admin-credentials"):
                if (component.Get(kind, "mode") == PostgresqlKind.External)
                {
                    yield return Make(new SecretId(component.Name, definition.Name), definition.Description, component, definition, own, ["admin-password"],
                        notRotatable: "Read-only: the admin role belongs to the external server's operator. Change its password there, then give the new one to the stack as its admin-password option.");
                }

                break;
            case (PostgresqlKind.Name, "superuser-password"):
                if (component.Get(kind, "mode") != PostgresqlKind.External)
                {
                    yield return Make(new SecretId(component.Name, definition.Name), definition.Description, component, definition, own, [definition.Name]);
                }

                break;
            case (MinioKind.Name, "root-credentials"):
                var copies = stack.Relations.Where(r => r.Provider.Component == component.Name && r.Interface == Interfaces.ObjectStorage)
                    .Select(ObjectNames.RelationSecret).ToList();
                yield return Make(new SecretId(component.Name, definition.Name), definition.Description, component, definition, own, ["root-user", "root-password"], copies);
                break;
            case (AirbyteKind.Name, _):
                yield return Make(new SecretId(component.Name, definition.Name), definition.Description, component, definition,
                    ObjectNames.Workload(component.Name, "auth-secrets"), [], notRotatable: AirbyteAuthSecretsNotRotatable);
                break;
            case (LegoKind.Name, var name):
                if ((component.Get(kind, "issuer") ?? LegoKind.AcmeIssuer) != LegoKind.AcmeIssuer)
                {
                    break;
                }

                if (name == "acme-account-key")
                {
                    yield return Make(new SecretId(component.Name, name), definition.Description, component, definition, $"{component.Name}-acme-account", [AcmeAccountKey]);
                }
                else if (name == "plugin-credentials" && (component.Get(kind, "plugin") ?? "http-01") != "http-01")
                {
                    yield return Make(new SecretId(component.Name, name), definition.Description, component, definition, own, [name]);
                }
                else if (name == "eab-hmac" && !string.IsNullOrEmpty(component.Get(kind, "eab-kid")))
                {
                    yield return Make(new SecretId(component.Name, name), definition.Description, component, definition, own, [name],
                        notRotatable: "The HMAC key binds the ACME account once, at its registration; the certificate authority issues a new one with a new key id.");
                }

                break;
            default:
                yield return Make(new SecretId(component.Name, definition.Name), definition.Description, component, definition, own, [definition.Name]);
                break;
        }
    }

    private static StackSecret Make(
        SecretId id, string description, ComponentSpec owner, SecretDefinition definition, string secret, IReadOnlyList<string> keys,
        IReadOnlyList<string>? copies = null, string? notRotatable = null) =>
        new(id, description, owner.Name, definition, secret, keys, copies ?? [],
            notRotatable ?? (definition.Rotation == RotationStrategy.None ? $"The portal does not rotate it: {definition.Description}" : null));
}
