using System.Globalization;
using Portal.Domain.Catalog;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Naming;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Rendering;
using Portal.Provisioning.Rendering.Kinds;
using Portal.Provisioning.Secrets;

namespace Portal.Provisioning.Steps.Relations;

/// <summary><c>object-storage</c>: the consumer's credentials Secret (MinIO's root credentials and its in-cluster endpoint),
/// then a Job that creates the buckets the consumer's options name.</summary>
internal sealed class ObjectStorageWiring(StepTools tools) : IRelationWiring
{
    /// <summary>The options of a consumer that name buckets (Airbyte's storage-bucket-*).</summary>
    private static readonly string[] BucketOptions =
        ["storage-bucket-logs", "storage-bucket-state", "storage-bucket-workload-output", "storage-bucket-activity-payload"];

    public string Interface => Interfaces.ObjectStorage;

    public async Task<StepOutcome> ProvisionAsync(RelationWork work, CancellationToken cancellationToken)
    {
        var providerSecretName = ObjectNames.ComponentSecret(work.Provider);
        var providerSecret = await work.Cluster.ReadAsync<k8s.Models.V1Secret>("v1", "Secret", work.Namespace, providerSecretName, cancellationToken).ConfigureAwait(false);
        if (ManagedSecrets.Value(providerSecret, MinioRenderer.RootUserKey) is not { } user
            || ManagedSecrets.Value(providerSecret, MinioRenderer.RootPasswordKey) is not { } password)
        {
            return StepOutcome.Wait($"waiting for {work.Provider}'s credentials in Secret {providerSecretName}");
        }

        var host = $"{ObjectNames.Workload(work.Provider, "")}.{work.Namespace}.svc";
        var port = MinioKind.ApiPort.ToString(CultureInfo.InvariantCulture);
        var secretName = ObjectNames.RelationSecret(work.Relation);
        await ManagedSecrets.EnsureAsync(work.Cluster, new SecretRecipe(
            work.Namespace, secretName, StepTools.RelationLabels(work.Stack, work.Relation),
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [RelationData.Endpoint] = $"http://{host}:{port}",
                [RelationData.Host] = host,
                [RelationData.Port] = port,
                [RelationData.AccessKey] = user,
                [RelationData.SecretKey] = password,
                [RelationData.Secure] = "false",
            },
            new Dictionary<string, Func<string>>()), cancellationToken).ConfigureAwait(false);

        var buckets = Buckets(work);
        if (buckets.Count == 0)
        {
            return StepOutcome.Ok($"credentials for {work.Requirer} written; it asks for no bucket");
        }

        return await JobRunner.RunAsync(work.Cluster, BucketJob(work, secretName, buckets), $"create the buckets {string.Join(", ", buckets)}", cancellationToken)
            .ConfigureAwait(false);
    }

    private List<string> Buckets(RelationWork work)
    {
        var spec = work.Stack.Component(work.Requirer);
        var kind = tools.KindOf(work.Stack, work.Requirer);
        return BucketOptions
            .Where(o => kind.FindOption(o) is not null)
            .Select(o => spec.Get(kind, o))
            .OfType<string>().Where(b => b.Length > 0)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    // Runs minio/mc with the consumer's own credentials (from the relation Secret, never literal): buckets that exist are kept.
    private k8s.Models.V1Job BucketJob(RelationWork work, string secretName, IReadOnlyList<string> buckets)
    {
        var context = tools.Renderer.ContextFor(work.Stack, work.Provider);
        var workload = context.Kind.Workloads.Single(w => w.Type == WorkloadType.Job);
        var env = new Env()
            .Secret("MINIO_ENDPOINT", secretName, RelationData.Endpoint)
            .Secret("MINIO_ACCESS_KEY", secretName, RelationData.AccessKey)
            .Secret("MINIO_SECRET_KEY", secretName, RelationData.SecretKey)
            .Value("BUCKETS", string.Join(" ", buckets))
            .Value("HOME", "/tmp");
        const string Script = """
            set -eu
            mc alias set store "$MINIO_ENDPOINT" "$MINIO_ACCESS_KEY" "$MINIO_SECRET_KEY"
            for bucket in $BUCKETS; do mc mb --ignore-existing "store/$bucket"; done
            """;
        var template = WorkloadFactory.PodTemplate(context, workload, _ => new ContainerSetup(env) { Command = ["sh", "-c", Script] });
        var job = WorkloadFactory.Job(context, ObjectNames.RelationJob(work.Relation, "buckets"), workload, template);
        StackRenderer.Stamp(job, work.Stack, work.Provider);
        job.Metadata.Labels[PortalLabels.Relation] = work.Relation.LabelValue;
        return job;
    }
}
