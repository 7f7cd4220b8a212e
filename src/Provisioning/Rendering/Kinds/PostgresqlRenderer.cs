using k8s;
using k8s.Models;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Naming;

namespace Portal.Provisioning.Rendering.Kinds;

/// <summary>PostgreSQL: nothing for an external server (the portal administers it over the network); a StatefulSet and
/// its Services in the cluster otherwise.</summary>
internal sealed class PostgresqlRenderer : IComponentRenderer
{
    public const string SuperuserPasswordKey = "superuser-password";
    public const string AdminPasswordKey = "admin-password";

    /// <summary>The uid of the postgres user in the official image.</summary>
    private const long PostgresUid = 999;

    public string Kind => "postgresql";

    public IEnumerable<IKubernetesObject<V1ObjectMeta>> Render(RenderContext context)
    {
        if (context.Option("mode") != PostgresqlKind.InCluster)
        {
            yield break;
        }

        var workload = context.Kind.Workloads.Single(w => w.Name.Length == 0);
        var volume = workload.Volume!;
        var env = new Env()
            .Secret("POSTGRES_PASSWORD", ObjectNames.ComponentSecret(context.Name), SuperuserPasswordKey)
            .Value("PGDATA", $"{volume.MountPath}/pgdata");
        var template = WorkloadFactory.PodTemplate(
            context,
            workload,
            _ => new ContainerSetup(env) { Mounts = [new V1VolumeMount { Name = volume.Name, MountPath = volume.MountPath }] },
            new PodSetup { RunAsUser = PostgresUid });

        yield return WorkloadFactory.StatefulSet(context, workload, template, 1, context.Option("storage-size"));
        yield return WorkloadFactory.HeadlessService(context, workload);
        yield return WorkloadFactory.Service(context, workload)!;
    }
}
