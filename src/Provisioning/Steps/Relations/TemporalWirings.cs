using System.Globalization;
using Portal.Domain.Catalog;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Naming;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Rendering;
using Portal.Provisioning.Rendering.Kinds;
using Portal.Provisioning.Secrets;

namespace Portal.Provisioning.Steps.Relations;

/// <summary><c>temporal-host-info</c>: the frontend's in-cluster host and port, in the relation Secret.</summary>
internal sealed class TemporalHostInfoWiring : IRelationWiring
{
    public string Interface => Interfaces.TemporalHostInfo;

    public async Task<StepOutcome> ProvisionAsync(RelationWork work, CancellationToken cancellationToken)
    {
        var host = $"{ObjectNames.Workload(work.Provider, "")}.{work.Namespace}.svc";
        await ManagedSecrets.EnsureAsync(work.Cluster, new SecretRecipe(
            work.Namespace, ObjectNames.RelationSecret(work.Relation), StepTools.RelationLabels(work.Stack, work.Relation),
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [RelationData.Host] = host,
                [RelationData.Port] = TemporalKind.FrontendPort.ToString(CultureInfo.InvariantCulture),
            },
            new Dictionary<string, Func<string>>()), cancellationToken).ConfigureAwait(false);
        return StepOutcome.Ok($"{work.Requirer} reaches Temporal at {host}:{TemporalKind.FrontendPort}");
    }
}

/// <summary><c>temporal</c> (Temporal requires the admin tools): the schema Job before Temporal starts, the namespace Job
/// once it serves.</summary>
internal sealed class TemporalWiring(StepTools tools) : IRelationWiring
{
    public string Interface => Interfaces.Temporal;

    public Task<StepOutcome> ProvisionAsync(RelationWork work, CancellationToken cancellationToken)
    {
        var databases = work.Stack.Relations
            .Where(r => r.Requirer.Component == work.Requirer && r.Interface == Interfaces.PostgresqlClient)
            .ToList();
        var main = databases.FirstOrDefault(r => r.Requirer.Endpoint == "db");
        var visibility = databases.FirstOrDefault(r => r.Requirer.Endpoint == "visibility");
        if (main is null || visibility is null)
        {
            return Task.FromResult(StepOutcome.Fail($"{work.Requirer} needs both its db and visibility databases related before its schemas can be set up", permanent: true));
        }

        var job = TemporalAdminRenderer.SchemaJob(tools.Renderer.ContextFor(work.Stack, work.Provider), work.Relation, main, visibility);
        return JobRunner.RunAsync(work.Cluster, Stamp(job, work), "set up the Temporal schemas", cancellationToken);
    }

    public Task<StepOutcome> CompleteAsync(RelationWork work, CancellationToken cancellationToken)
    {
        var job = TemporalAdminRenderer.NamespaceJob(tools.Renderer.ContextFor(work.Stack, work.Provider), work.Relation);
        return JobRunner.RunAsync(work.Cluster, Stamp(job, work), "create the Temporal namespace", cancellationToken);
    }

    private static k8s.Models.V1Job Stamp(k8s.Models.V1Job job, RelationWork work)
    {
        StackRenderer.Stamp(job, work.Stack, work.Provider);
        job.Metadata.Labels[PortalLabels.Relation] = work.Relation.LabelValue;
        return job;
    }
}
