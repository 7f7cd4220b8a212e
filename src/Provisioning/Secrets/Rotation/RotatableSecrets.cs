using k8s.Models;
using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Naming;
using Portal.Domain.Stacks;
using Portal.Provisioning.Rendering;
using Portal.Provisioning.Rendering.Kinds;

namespace Portal.Provisioning.Secrets.Rotation;

/// <summary>How the portal makes the new value of a secret it rotates.</summary>
internal enum RotationMethod
{
    /// <summary>A generated password set on the relation's role through the admin connection (external PostgreSQL).</summary>
    DatabasePassword,

    /// <summary>A generated value (the oauth2-proxy cookie secret).</summary>
    Generated,

    /// <summary>A value the operator supplies with the request (the OAuth client secret).</summary>
    OperatorSupplied,

    /// <summary>A generated password the owner serves and its consumers hold copies of (MinIO's root password, copied into each
    /// object-storage relation's Secret as the secret key): the owner restarts and gets healthy first.</summary>
    GeneratedWithCopies,

    /// <summary>A generated password set on a role of the in-cluster server by a Job (ALTER ROLE … PASSWORD), which reads it from a
    /// Secret; the portal cannot reach that server.</summary>
    InClusterDatabasePassword,

    /// <summary>A generated value accepted together with the previous one for a grace period, then alone (the webhook signing secret).</summary>
    DualValidity,
}

/// <summary>A Secret the portal copies a secret's value into for consumers: its name and the key of the copy.</summary>
internal sealed record SecretCopy(string SecretName, string Key);

/// <summary>A secret of a stack the portal can rotate: where it lives, how its new value is made, and which components load it.</summary>
/// <param name="Id"><c>&lt;component&gt;.&lt;secret&gt;</c>.</param>
/// <param name="SecretName">The Kubernetes Secret holding it.</param>
/// <param name="Key">The key of the value in that Secret.</param>
/// <param name="Relation">For a database password: the <c>postgresql_client</c> relation whose role it is.</param>
/// <param name="Consumers">The components whose Deployments or StatefulSets load the Secret, in the stack's order.</param>
internal sealed record RotatableSecret(
    string Id, string Owner, string SecretName, string Key, RotationMethod Method, RelationSpec? Relation, IReadOnlyList<string> Consumers)
{
    /// <summary>The secret's name in its owner (<c>cookie-secret</c>, <c>airbyte-db</c>): what its per-secret revision annotations
    /// are named after.</summary>
    public string Name => Id[(Id.IndexOf('.', StringComparison.Ordinal) + 1)..];

    /// <summary>The name of the Secret where a new value waits for its operation (never in the portal or a job's arguments).</summary>
    public string PendingName => $"{SecretName}-pending";

    /// <summary>The Secrets the value is copied into (MinIO's object-storage relations), written as new revisions with it.</summary>
    public IReadOnlyList<SecretCopy> Copies { get; init; } = [];

    /// <summary>The consumer that restarts and must be healthy before the others (MinIO for its root credentials), or null.</summary>
    public string? First { get; init; }

    /// <summary>The database role whose password it is: the relation's login role, or the superuser of an in-cluster server.</summary>
    public string Role(StackSpec stack) => Relation is null ? InClusterPasswordJobs.Superuser : ObjectNames.DatabaseRole(stack.Name, Relation);

    public string Database(StackSpec stack) => ObjectNames.Database(stack.Name, Relation!);
}

/// <summary>What a secret id names in a stack: a secret the portal rotates, or why it cannot.</summary>
internal sealed record SecretLookup(RotatableSecret? Secret, string? Problem);

/// <summary>Resolves secret ids (<c>&lt;component&gt;.&lt;secret&gt;</c>) to the secrets the rotation steps work on.</summary>
internal sealed class RotatableSecrets(ComponentCatalog catalog, StackRenderer renderer)
{
    /// <summary>The secret <paramref name="id"/> names in <paramref name="stack"/>, with its consumers, or a sentence saying why it
    /// cannot be rotated (unknown, read-only, not supported yet).</summary>
    public SecretLookup Find(StackSpec stack, string? id)
    {
        var dot = id?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (id is null || dot <= 0 || dot == id.Length - 1)
        {
            return new(null, $"'{id}' is not a secret id: write it as <component>.<secret>, e.g. oauth2-proxy.cookie-secret.");
        }

        var componentName = id[..dot];
        var name = id[(dot + 1)..];
        var component = stack.Components.FirstOrDefault(c => c.Name == componentName);
        if (component is null)
        {
            return new(null, $"Stack {stack.Name} has no component {componentName}, so it has no secret {id}.");
        }

        var kind = catalog.Get(component.Kind);
        if (kind.Name == PostgresqlKind.Name)
        {
            var relation = stack.Relations.FirstOrDefault(r =>
                r.Provider.Component == componentName && r.Interface == Interfaces.PostgresqlClient && $"{r.Requirer.Component}-{r.Requirer.Endpoint}" == name);
            if (relation is not null)
            {
                return component.Get(kind, "mode") == PostgresqlKind.External
                    ? new(Create(stack, id, componentName, ObjectNames.RelationSecret(relation), RelationData.Password, RotationMethod.DatabasePassword, relation), null)
                    : InClusterRelationPassword(stack, id, componentName, relation);
            }

            if (name == PostgresqlRenderer.SuperuserPasswordKey && component.Get(kind, "mode") != PostgresqlKind.External)
            {
                return InClusterSuperuserPassword(stack, id, componentName);
            }
        }

        if (kind.Name == MinioKind.Name && name == MinioRootCredentials)
        {
            return MinioRoot(stack, id, componentName);
        }

        if (kind.Name == OAuth2ProxyKind.Name && name == OAuth2ProxyRenderer.CookieSecretKey)
        {
            return new(Create(stack, id, componentName, ObjectNames.ComponentSecret(componentName), name, RotationMethod.Generated, null), null);
        }

        if (kind.Name == OAuth2ProxyKind.Name && name == OAuth2ProxyRenderer.ClientSecretKey)
        {
            return new(Create(stack, id, componentName, ObjectNames.ComponentSecret(componentName), name, RotationMethod.OperatorSupplied, null), null);
        }

        if (FindWebhookOrAirbyte(stack, id, component, kind, name) is { } webhookOrAirbyte)
        {
            return webhookOrAirbyte;
        }

        if (kind.FindSecret(name) is { } definition)
        {
            return new(null, definition.Rotation == RotationStrategy.None
                ? $"{id} is read-only to the portal ({definition.Description.TrimEnd('.')}); change it where it comes from."
                : $"The portal cannot rotate {id} yet.");
        }

        var known = stack.Relations.Where(r => r.Provider.Component == componentName && r.Interface == Interfaces.PostgresqlClient)
            .Select(r => $"{componentName}.{r.Requirer.Component}-{r.Requirer.Endpoint}")
            .Concat(kind.Secrets.Where(s => s.Rotation != RotationStrategy.None && s.Source != SecretSource.Relation).Select(s => $"{componentName}.{s.Name}"))
            .ToList();
        return new(null, known.Count == 0
            ? $"Component {componentName} of stack {stack.Name} owns no secret {name}."
            : $"Component {componentName} of stack {stack.Name} owns no secret {name}; its secrets are {string.Join(", ", known)}.");
    }

    /// <summary>The components whose Deployments or StatefulSets load <paramref name="secretName"/> (by the secret-revisions
    /// annotation of their rendered pod templates), in the stack's order.</summary>
    public IReadOnlyList<string> ConsumersOf(StackSpec stack, string secretName)
    {
        var consumers = new List<string>();
        foreach (var rendered in renderer.Render(stack))
        {
            var template = rendered.Object switch
            {
                V1Deployment d => d.Spec.Template,
                V1StatefulSet s => s.Spec.Template,
                _ => null,
            };
            if (template?.Metadata?.Annotations?.TryGetValue(PortalLabels.SecretRevisionsAnnotation, out var loaded) == true
                && loaded.Split(',').Any(entry => entry.StartsWith(secretName + "=", StringComparison.Ordinal))
                && !consumers.Contains(rendered.Component))
            {
                consumers.Add(rendered.Component);
            }
        }

        return consumers;
    }

    /// <summary>The name of MinIO's root credentials in the catalog.</summary>
    public const string MinioRootCredentials = "root-credentials";

    // MinIO's root password (the root user stays): copied into each object-storage relation's Secret as the secret key; MinIO
    // restarts and gets healthy on it before the consumers restart with their copies.
    private SecretLookup MinioRoot(StackSpec stack, string id, string minio)
    {
        var copies = stack.Relations.Where(r => r.Provider.Component == minio && r.Interface == Interfaces.ObjectStorage)
            .Select(r => new SecretCopy(ObjectNames.RelationSecret(r), RelationData.SecretKey)).ToList();
        var own = ObjectNames.ComponentSecret(minio);
        List<string> consumers = [minio, .. ConsumersOf(stack, own).Concat(copies.SelectMany(c => ConsumersOf(stack, c.SecretName))).Where(c => c != minio).Distinct()];
        return new(new RotatableSecret(id, minio, own, MinioRenderer.RootPasswordKey, RotationMethod.GeneratedWithCopies, null, consumers)
        {
            Copies = copies,
            First = minio,
        }, null);
    }

    // A relation's password on the in-cluster server: set by a Job running psql as the superuser.
    private SecretLookup InClusterRelationPassword(StackSpec stack, string id, string postgresql, RelationSpec relation) =>
        new(Create(stack, id, postgresql, ObjectNames.RelationSecret(relation), RelationData.Password, RotationMethod.InClusterDatabasePassword, relation), null);

    // The in-cluster server's superuser password: set by a Job logging in with the current one.
    private SecretLookup InClusterSuperuserPassword(StackSpec stack, string id, string postgresql) =>
        new(Create(stack, id, postgresql, ObjectNames.ComponentSecret(postgresql), PostgresqlRenderer.SuperuserPasswordKey, RotationMethod.InClusterDatabasePassword, null), null);

    // The webhook signing secret rotates with a grace period; airbyte-auth-secrets is the bootloader's (Domain inventory's sentence).
    private SecretLookup? FindWebhookOrAirbyte(StackSpec stack, string id, ComponentSpec component, ComponentKind kind, string name) => (kind.Name, name) switch
    {
        (AirbyteWebhooksKind.Name, WebhooksRenderer.SigningSecretKey) =>
            new(Create(stack, id, component.Name, ObjectNames.ComponentSecret(component.Name), name, RotationMethod.DualValidity, null), null),
        (AirbyteKind.Name, _) when kind.FindSecret(name) is not null => new(null, $"{id} cannot be rotated: {Domain.Secrets.SecretInventory.AirbyteAuthSecretsNotRotatable}"),
        _ => null,
    };

    private RotatableSecret Create(StackSpec stack, string id, string owner, string secretName, string key, RotationMethod method, RelationSpec? relation) =>
        new(id, owner, secretName, key, method, relation, ConsumersOf(stack, secretName));
}
