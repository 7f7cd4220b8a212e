using System.Globalization;
using k8s;
using k8s.Models;
using Portal.Domain.Naming;

namespace Portal.Provisioning.Rendering.Kinds;

/// <summary>Temporal server: one Deployment running all four services, and its Service.</summary>
/// <remarks>Environment names are those of the temporalio/server image's config template. The main and the visibility
/// store use separate login roles (one per relation), so the visibility store gets its own VISIBILITY_* settings.</remarks>
internal sealed class TemporalRenderer : IComponentRenderer
{
    public string Kind => "temporal";

    public IEnumerable<IKubernetesObject<V1ObjectMeta>> Render(RenderContext context)
    {
        var workload = context.Kind.Workloads.Single();
        var env = new Env()
            .Value("DB", "postgres12")
            .Value("NUM_HISTORY_SHARDS", context.Option("num-history-shards"))
            .Value("LOG_LEVEL", context.Option("log-level"))
            .Value("BIND_ON_IP", "0.0.0.0")
            .FieldRef("TEMPORAL_BROADCAST_ADDRESS", "status.podIP")
            .Value("SERVICES", "frontend:history:matching:worker:internal-frontend")
            .Value("SKIP_SCHEMA_SETUP", "true")
            .Value("SQL_MAX_CONNS", context.Option("persistence-max-conns"))
            .Value("SQL_MAX_IDLE_CONNS", context.Option("persistence-max-idle-conns"))
            .Value("SQL_MAX_CONN_TIME", context.Option("persistence-max-conn-time"))
            .Value("SQL_VIS_MAX_CONNS", context.Option("visibility-max-conns"))
            .Value("SQL_VIS_MAX_IDLE_CONNS", context.Option("visibility-max-idle-conns"))
            .Value("SQL_VIS_MAX_CONN_TIME", context.Option("visibility-max-conn-time"))
            .Value("FRONTEND_RPS", context.Option("global-rps-limit"));

        if (context.RequiredRelation("db") is { } db)
        {
            var secret = ObjectNames.RelationSecret(db);
            env.Secret("POSTGRES_SEEDS", secret, RelationData.Host)
               .Secret("DB_PORT", secret, RelationData.Port)
               .Secret("DBNAME", secret, RelationData.Database)
               .Secret("POSTGRES_USER", secret, RelationData.Username)
               .Secret("POSTGRES_PWD", secret, RelationData.Password);
        }

        if (context.RequiredRelation("visibility") is { } visibility)
        {
            var secret = ObjectNames.RelationSecret(visibility);
            env.Secret("VISIBILITY_POSTGRES_SEEDS", secret, RelationData.Host)
               .Secret("VISIBILITY_DB_PORT", secret, RelationData.Port)
               .Secret("VISIBILITY_DBNAME", secret, RelationData.Database)
               .Secret("VISIBILITY_POSTGRES_USER", secret, RelationData.Username)
               .Secret("VISIBILITY_POSTGRES_PWD", secret, RelationData.Password);
        }

        var replicas = int.Parse(context.Option("replicas"), CultureInfo.InvariantCulture);
        var template = WorkloadFactory.PodTemplate(context, workload, _ => new ContainerSetup(env));
        yield return WorkloadFactory.Deployment(context, workload, template, replicas);
        yield return WorkloadFactory.Service(context, workload)!;
    }
}
