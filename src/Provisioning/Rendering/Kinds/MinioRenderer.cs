using k8s;
using k8s.Models;
using Portal.Domain.Naming;

namespace Portal.Provisioning.Rendering.Kinds;

/// <summary>MinIO: a StatefulSet with its data volume, a headless Service for the pods and a Service for clients.</summary>
internal sealed class MinioRenderer : IComponentRenderer
{
    public const string RootUserKey = "root-user";
    public const string RootPasswordKey = "root-password";

    public string Kind => "minio";

    public IEnumerable<IKubernetesObject<V1ObjectMeta>> Render(RenderContext context)
    {
        var workload = context.Kind.Workloads.Single(w => w.Name.Length == 0);
        var secrets = ObjectNames.ComponentSecret(context.Name);
        var env = new Env()
            .Secret("MINIO_ROOT_USER", secrets, RootUserKey)
            .Secret("MINIO_ROOT_PASSWORD", secrets, RootPasswordKey)
            .Value("MINIO_PROMETHEUS_AUTH_TYPE", "public");
        var volume = workload.Volume!;
        var template = WorkloadFactory.PodTemplate(context, workload, _ => new ContainerSetup(env)
        {
            Args = ["server", volume.MountPath, "--console-address", ":9001"],
            Mounts = [new V1VolumeMount { Name = volume.Name, MountPath = volume.MountPath }],
        });

        yield return WorkloadFactory.StatefulSet(context, workload, template, 1, context.Option("storage-size"));
        yield return WorkloadFactory.HeadlessService(context, workload);
        yield return WorkloadFactory.Service(context, workload)!;
    }
}
