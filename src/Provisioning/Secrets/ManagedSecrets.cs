using System.Globalization;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Portal.Domain.Naming;
using Portal.Provisioning.Clusters;

namespace Portal.Provisioning.Secrets;

/// <summary>What a portal-managed Secret must hold: keys whose value the portal knows (replaced when they differ) and
/// keys it generates (written once, never regenerated while present).</summary>
/// <param name="Known">Values that follow their source (an operator input, a host name): a different value replaces the old.</param>
/// <param name="Generated">Values made only when the key is missing: a retried or repeated step keeps what is there.</param>
internal sealed record SecretRecipe(
    string Namespace,
    string Name,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Known,
    IReadOnlyDictionary<string, Func<string>> Generated,
    string Type = "Opaque")
{
    public bool IsEmpty => Known.Count == 0 && Generated.Count == 0;
}

/// <summary>Writes portal-managed Secrets by read-modify-write with the resourceVersion as precondition.</summary>
/// <remarks>Not server-side apply: applying only the keys the portal knows now would make the API server drop the keys
/// the field manager applied before (a generated password written by an earlier step). A replace that loses the race
/// (409) reads again and redoes the merge. A Secret whose known values change gets the next revision
/// (<see cref="PortalLabels.RevisionAnnotation"/>), so the workloads that load it roll.</remarks>
internal static class ManagedSecrets
{
    private const int Attempts = 5;

    public static async Task<V1Secret> EnsureAsync(IClusterGateway cluster, SecretRecipe recipe, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var existing = await cluster.ReadAsync<V1Secret>("v1", "Secret", recipe.Namespace, recipe.Name, cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                var created = await cluster.CreateSecretIfAbsentAsync(New(recipe), cancellationToken).ConfigureAwait(false);
                if (Merge(created, recipe, out _) is false)
                {
                    return created;
                }

                // Someone created it between our read and create: merge into theirs on the next round.
                continue;
            }

            EnsureOurs(cluster, existing, recipe);
            if (!Merge(existing, recipe, out var changedKnown))
            {
                return existing;
            }

            if (changedKnown)
            {
                existing.Metadata.Annotations ??= new Dictionary<string, string>(StringComparer.Ordinal);
                existing.Metadata.Annotations[PortalLabels.RevisionAnnotation] = (RevisionOf(existing) + 1).ToString(CultureInfo.InvariantCulture);
            }

            if (await ReplaceAsync(cluster, existing, cancellationToken).ConfigureAwait(false) is { } replaced)
            {
                return replaced;
            }
        }

        throw new ClusterException($"Cluster {cluster.Name} kept changing Secret {recipe.Namespace}/{recipe.Name} while the portal updated it.", HttpStatusCode.Conflict, transient: true);
    }

    /// <summary>The live revision of a portal-managed Secret (1 when unannotated).</summary>
    public static int RevisionOf(V1Secret secret) =>
        secret.Metadata.Annotations?.TryGetValue(PortalLabels.RevisionAnnotation, out var text) == true
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var revision)
            ? revision
            : 1;

    /// <summary>A value of a Secret as text, or null when the key is missing.</summary>
    public static string? Value(V1Secret? secret, string key) =>
        secret?.Data is { } data && data.TryGetValue(key, out var bytes) ? System.Text.Encoding.UTF8.GetString(bytes) : null;

    /// <summary>Replaces a Secret read earlier; null when it changed since (the caller reads again).</summary>
    public static async Task<V1Secret?> ReplaceAsync(IClusterGateway cluster, V1Secret secret, CancellationToken cancellationToken)
    {
        var ns = secret.Metadata.NamespaceProperty;
        var name = secret.Metadata.Name;
        try
        {
            return await cluster.Client.CoreV1.ReplaceNamespacedSecretAsync(
                secret, name, ns, fieldManager: KubeResources.FieldManager, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return null;
        }
        catch (HttpOperationException e)
        {
            var status = e.Response.StatusCode;
            var transient = status is HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
                or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;
            throw new ClusterException($"Cluster {cluster.Name} could not update Secret {ns}/{name}: {(int)status} {e.Response.ReasonPhrase}", status, transient, e);
        }
        catch (HttpRequestException e)
        {
            throw new ClusterException($"Cluster {cluster.Name} could not be reached to update Secret {ns}/{name}.", null, transient: true, e);
        }
    }

    /// <summary>Refuses to write into a Secret of the same name that the portal did not make for this stack.</summary>
    public static void EnsureOurs(IClusterGateway cluster, V1Secret existing, SecretRecipe recipe)
    {
        var labels = existing.Metadata.Labels;
        recipe.Labels.TryGetValue(PortalLabels.Stack, out var stack);
        if (labels is null
            || !labels.TryGetValue(PortalLabels.ManagedBy, out var manager) || manager != PortalLabels.ManagedByValue
            || !labels.TryGetValue(PortalLabels.Stack, out var owner) || owner != stack)
        {
            throw new ClusterException(
                $"Secret {recipe.Namespace}/{recipe.Name} on cluster {cluster.Name} exists but was not created by the portal for stack {stack}: rename or remove it.",
                HttpStatusCode.Conflict, transient: false);
        }
    }

    private static V1Secret New(SecretRecipe recipe) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Type = recipe.Type,
        Metadata = new V1ObjectMeta
        {
            Name = recipe.Name,
            NamespaceProperty = recipe.Namespace,
            Labels = new Dictionary<string, string>(recipe.Labels, StringComparer.Ordinal),
            Annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [PortalLabels.RevisionAnnotation] = "1" },
        },
        Data = recipe.Known
            .Select(pair => (pair.Key, Value: pair.Value))
            .Concat(recipe.Generated.Where(g => !recipe.Known.ContainsKey(g.Key)).Select(pair => (pair.Key, Value: pair.Value())))
            .ToDictionary(p => p.Key, p => System.Text.Encoding.UTF8.GetBytes(p.Value), StringComparer.Ordinal),
    };

    // Brings the recipe into the Secret in memory; true when something changed.
    private static bool Merge(V1Secret secret, SecretRecipe recipe, out bool changedKnown)
    {
        changedKnown = false;
        var changed = false;
        secret.Data ??= new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in recipe.Known)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(value);
            if (!secret.Data.TryGetValue(key, out var current))
            {
                secret.Data[key] = bytes;
                changed = true;
            }
            else if (!current.AsSpan().SequenceEqual(bytes))
            {
                secret.Data[key] = bytes;
                changed = true;
                changedKnown = true;
            }
        }

        foreach (var (key, generate) in recipe.Generated)
        {
            if (!recipe.Known.ContainsKey(key) && !secret.Data.ContainsKey(key))
            {
                secret.Data[key] = System.Text.Encoding.UTF8.GetBytes(generate());
                changed = true;
            }
        }

        secret.Metadata.Labels ??= new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in recipe.Labels)
        {
            if (!secret.Metadata.Labels.TryGetValue(key, out var current) || current != value)
            {
                secret.Metadata.Labels[key] = value;
                changed = true;
            }
        }

        return changed;
    }
}
