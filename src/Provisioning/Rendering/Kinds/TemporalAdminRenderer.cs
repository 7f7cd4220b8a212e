using k8s;
using k8s.Models;
using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;

namespace Portal.Provisioning.Rendering.Kinds;

/// <summary>Temporal admin tools: a long-running tools pod for debugging. The schema Job is rendered for the
/// admin relation (<see cref="SchemaJob"/>, <see cref="NamespaceJob"/>): they need the related Temporal server's databases.</summary>
internal sealed class TemporalAdminRenderer : IComponentRenderer
{
    public string Kind => "temporal-admin";

    public IEnumerable<IKubernetesObject<V1ObjectMeta>> Render(RenderContext context)
    {
        var workload = context.Kind.Workloads.Single(w => w.Type == WorkloadType.Deployment);
        var env = new Env();
        if (context.ProvidedRelations("admin").FirstOrDefault() is { } admin)
        {
            env.Value("TEMPORAL_ADDRESS", $"{admin.Requirer.Component}:7233");
        }

        var template = WorkloadFactory.PodTemplate(context, workload, _ => new ContainerSetup(env) { Command = ["sleep", "infinity"] });
        yield return WorkloadFactory.Deployment(context, workload, template, 1);
    }

    /// <summary>The Job that sets up (or upgrades) both Temporal schemas for the admin relation; it runs before Temporal starts.</summary>
    /// <remarks>setup-schema tolerates an existing schema and update-schema is a no-op at the current version, so the Job is
    /// safe to run again.</remarks>
    public static V1Job SchemaJob(RenderContext adminContext, RelationSpec adminRelation, RelationSpec db, RelationSpec visibility)
    {
        var main = ObjectNames.RelationSecret(db);
        var vis = ObjectNames.RelationSecret(visibility);
        var env = new Env()
            .Secret("SQL_HOST", main, RelationData.Host)
            .Secret("SQL_PORT", main, RelationData.Port)
            .Secret("SQL_DATABASE", main, RelationData.Database)
            .Secret("SQL_USER", main, RelationData.Username)
            .Secret("SQL_PASSWORD", main, RelationData.Password)
            .Secret("VIS_HOST", vis, RelationData.Host)
            .Secret("VIS_PORT", vis, RelationData.Port)
            .Secret("VIS_DATABASE", vis, RelationData.Database)
            .Secret("VIS_USER", vis, RelationData.Username)
            .Secret("VIS_PASSWORD", vis, RelationData.Password);

        const string Script = """
            set -eu
            schema() {
              temporal-sql-tool --plugin postgres12 --ep "$1" -p "$2" -u "$3" --pw "$4" --db "$5" setup-schema -v 0.0 || true
              temporal-sql-tool --plugin postgres12 --ep "$1" -p "$2" -u "$3" --pw "$4" --db "$5" update-schema -d "$6"
            }
            schema "$SQL_HOST" "$SQL_PORT" "$SQL_USER" "$SQL_PASSWORD" "$SQL_DATABASE" /etc/temporal/schema/postgresql/v12/temporal/versioned
            schema "$VIS_HOST" "$VIS_PORT" "$VIS_USER" "$VIS_PASSWORD" "$VIS_DATABASE" /etc/temporal/schema/postgresql/v12/visibility/versioned
            """;

        return AdminJob(adminContext, adminRelation, "schema", env, Script);
    }

    /// <summary>The Job that creates Temporal's default namespace once the server serves; "already exists" is success.</summary>
    public static V1Job NamespaceJob(RenderContext adminContext, RelationSpec adminRelation)
    {
        var env = new Env()
            .Value("TEMPORAL_ADDRESS", $"{adminRelation.Requirer.Component}:7233")
            .Value("DEFAULT_NAMESPACE", adminContext.Option("default-namespace"))
            .Value("NAMESPACE_RETENTION", adminContext.Option("namespace-retention"));

        const string Script = """
            set -eu
            temporal operator namespace describe --address "$TEMPORAL_ADDRESS" -n "$DEFAULT_NAMESPACE" \
              || temporal operator namespace create --address "$TEMPORAL_ADDRESS" -n "$DEFAULT_NAMESPACE" --retention "$NAMESPACE_RETENTION"
            """;

        return AdminJob(adminContext, adminRelation, "namespace", env, Script);
    }

    private static V1Job AdminJob(RenderContext adminContext, RelationSpec adminRelation, string purpose, Env env, string script)
    {
        var workload = adminContext.Kind.Workloads.Single(w => w.Type == WorkloadType.Job);
        var template = WorkloadFactory.PodTemplate(adminContext, workload, _ => new ContainerSetup(env) { Command = ["sh", "-c", script] });
        var job = WorkloadFactory.Job(adminContext, ObjectNames.RelationJob(adminRelation, purpose), workload, template);
        job.Metadata.Labels[PortalLabels.Relation] = adminRelation.LabelValue;
        return job;
    }
}
