using Portal.Domain.Catalog;
using Portal.Domain.Naming;

namespace Portal.Domain.Status;

/// <summary>What each interface promises the requirer, as far as the cluster can show it: the keys of the relation Secret
/// (<see cref="ObjectNames.RelationSecret"/>; names only) and the objects the relation produces.</summary>
/// <remarks>The renderers that write these Secrets and the status rules that read them must agree: both use this class.</remarks>
public static class RelationContracts
{
    /// <summary>The purpose of the temporal interface's setup Job (<see cref="ObjectNames.RelationJob"/>): both schemas and the namespace.</summary>
    public const string SchemaJobPurpose = "schema";

    private static readonly string[] PostgresqlClientKeys =
        [RelationData.Host, RelationData.Port, RelationData.Database, RelationData.Username, RelationData.Password, RelationData.SslMode];

    private static readonly string[] ObjectStorageKeys =
        [RelationData.Endpoint, RelationData.Host, RelationData.Port, RelationData.AccessKey, RelationData.SecretKey, RelationData.Secure];

    private static readonly string[] TemporalHostInfoKeys = [RelationData.Host, RelationData.Port];

    /// <summary>The keys the relation Secret of this interface holds; empty when the interface passes no Secret.</summary>
    public static IReadOnlyList<string> SecretKeys(string @interface) => @interface switch
    {
        Interfaces.PostgresqlClient => PostgresqlClientKeys,
        Interfaces.ObjectStorage => ObjectStorageKeys,
        Interfaces.TemporalHostInfo => TemporalHostInfoKeys,
        _ => [],
    };

    /// <summary>Whether the provider hands the requirer a relation Secret over this interface.</summary>
    public static bool HasSecret(string @interface) => SecretKeys(@interface).Count > 0;

    /// <summary>The Service an http-upstream provider exposes: its <c>webapp</c> workload when it has one, else its first Deployment.</summary>
    public static string UpstreamService(ComponentKind providerKind, string provider)
    {
        var workload = providerKind.Workloads.FirstOrDefault(w => w.Name == "webapp")
            ?? providerKind.Workloads.FirstOrDefault(w => w.Type == WorkloadType.Deployment);
        return ObjectNames.Workload(provider, workload?.Name ?? "");
    }
}
