using k8s;
using k8s.Models;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;

namespace Portal.Provisioning.Rendering.Kinds;

/// <summary>Airbyte: seven Deployments, their Services, the bootloader Job, and the service account job pods run as.</summary>
/// <remarks>Environment names follow the airbyte-platform v1.7.0 Helm chart. Every credential comes from a relation Secret
/// through <c>secretKeyRef</c>; Kubernetes expands <c>$(VAR)</c> references to compose DATABASE_URL and TEMPORAL_HOST.</remarks>
internal sealed class AirbyteRenderer : IComponentRenderer
{
    public string Kind => "airbyte";

    /// <summary>The Secret the bootloader writes (instance-admin, JWT and dataplane credentials).</summary>
    public static string AuthSecretName(string component) => ObjectNames.Workload(component, "auth-secrets");

    public IEnumerable<IKubernetesObject<V1ObjectMeta>> Render(RenderContext context)
    {
        var replicas = int.Parse(context.Option("replicas"), System.Globalization.CultureInfo.InvariantCulture);
        var serviceAccount = context.Name;
        var common = CommonEnv(context);

        yield return new V1ServiceAccount { ApiVersion = "v1", Kind = "ServiceAccount", Metadata = WorkloadFactory.Meta(context, serviceAccount) };
        yield return JobRunnerRole(context, serviceAccount);
        yield return JobRunnerRoleBinding(context, serviceAccount);

        foreach (var workload in context.Kind.Workloads)
        {
            var pod = new PodSetup { ServiceAccount = serviceAccount };
            var env = new Env().AddRange(common);
            if (workload.Name is "worker" or "workload-launcher")
            {
                var auth = AuthSecretName(context.Name);
                env.Secret("DATAPLANE_CLIENT_ID", auth, "dataplane-client-id", optional: true)
                   .Secret("DATAPLANE_CLIENT_SECRET", auth, "dataplane-client-secret", optional: true);
            }

            if (workload.Name == "bootloader")
            {
                env.Value("AB_KUBERNETES_SECRET_NAME", AuthSecretName(context.Name))
                   .Value("AB_AUTH_SECRET_CREATION_ENABLED", "true");
            }

            var template = WorkloadFactory.PodTemplate(context, workload, _ => new ContainerSetup(env), pod);
            if (workload.Type == WorkloadType.Job)
            {
                yield return WorkloadFactory.Job(context, WorkloadFactory.ObjectName(context, workload), workload, template);
                continue;
            }

            // The web app and server scale with the replicas option; the rest run one pod each.
            var count = workload.Name is "server" or "webapp" ? replicas : 1;
            yield return WorkloadFactory.Deployment(context, workload, template, count);
            if (WorkloadFactory.Service(context, workload) is { } service)
            {
                yield return service;
            }
        }
    }

    private static Env CommonEnv(RenderContext context)
    {
        var env = new Env();
        var name = context.Name;
        var server = ObjectNames.Workload(name, "server");

        env.Value("AIRBYTE_VERSION", context.Option("image-tag"))
           .Value("AIRBYTE_EDITION", "community")
           .Value("WORKER_ENVIRONMENT", "kubernetes")
           .Value("LOG_LEVEL", context.Option("log-level"))
           .Value("AIRBYTE_URL", $"https://{context.Option("external-hostname")}")
           .Value("INTERNAL_API_HOST", $"http://{server}:8001")
           .Value("AIRBYTE_SERVER_HOST", $"{server}:8001")
           .Value("CONFIG_API_HOST", $"{server}:8001")
           .Value("WORKLOAD_API_HOST", $"http://{ObjectNames.Workload(name, "workload-api-server")}:8007")
           .Value("CONNECTOR_BUILDER_API_HOST", $"{ObjectNames.Workload(name, "connector-builder-server")}:80")
           .Value("WEBAPP_URL", $"http://{ObjectNames.Workload(name, "webapp")}:80")
           .Value("CONTROL_PLANE_TOKEN_ENDPOINT", $"http://{server}:8001/api/v1/dataplanes/token")
           .Value("JOB_KUBE_NAMESPACE", context.Option("job-namespace") is { Length: > 0 } jobNamespace ? jobNamespace : context.Namespace)
           .Value("JOB_KUBE_SERVICEACCOUNT", name)
           .Value("JOB_MAIN_CONTAINER_CPU_REQUEST", context.Option("job-main-container-cpu-request"))
           .Value("JOB_MAIN_CONTAINER_CPU_LIMIT", context.Option("job-main-container-cpu-limit"))
           .Value("JOB_MAIN_CONTAINER_MEMORY_REQUEST", context.Option("job-main-container-memory-request"))
           .Value("JOB_MAIN_CONTAINER_MEMORY_LIMIT", context.Option("job-main-container-memory-limit"))
           .Value("MAX_SYNC_WORKERS", context.Option("max-sync-workers"))
           .Value("MAX_CHECK_WORKERS", context.Option("max-check-workers"))
           .Value("MAX_DISCOVER_WORKERS", context.Option("max-discover-workers"))
           .Value("MAX_SPEC_WORKERS", context.Option("max-spec-workers"))
           .Value("TEMPORAL_HISTORY_RETENTION_IN_DAYS", "30")
           .Value("RUN_DATABASE_MIGRATION_ON_STARTUP", "true")
           .Value("CONTAINER_ORCHESTRATOR_ENABLED", "true")
           .Value("DATA_PLANE_ID", "local");

        if (context.RequiredRelation("db") is { } db)
        {
            var secret = ObjectNames.RelationSecret(db);
            env.Secret("DATABASE_HOST", secret, RelationData.Host)
               .Secret("DATABASE_PORT", secret, RelationData.Port)
               .Secret("DATABASE_DB", secret, RelationData.Database)
               .Secret("DATABASE_USER", secret, RelationData.Username)
               .Secret("DATABASE_PASSWORD", secret, RelationData.Password)
               .Value("DATABASE_URL", "jdbc:postgresql://$(DATABASE_HOST):$(DATABASE_PORT)/$(DATABASE_DB)");
        }

        if (context.RequiredRelation("temporal") is { } temporal)
        {
            var secret = ObjectNames.RelationSecret(temporal);
            env.Secret("TEMPORAL_HOST_NAME", secret, RelationData.Host)
               .Secret("TEMPORAL_PORT", secret, RelationData.Port)
               .Value("TEMPORAL_HOST", "$(TEMPORAL_HOST_NAME):$(TEMPORAL_PORT)");
        }

        if (context.RequiredRelation("object-storage") is { } storage)
        {
            var secret = ObjectNames.RelationSecret(storage);
            env.Value("STORAGE_TYPE", "minio")
               .Value("STORAGE_BUCKET_LOG", context.Option("storage-bucket-logs"))
               .Value("S3_LOG_BUCKET", context.Option("storage-bucket-logs"))
               .Value("STORAGE_BUCKET_STATE", context.Option("storage-bucket-state"))
               .Value("STORAGE_BUCKET_WORKLOAD_OUTPUT", context.Option("storage-bucket-workload-output"))
               .Value("STORAGE_BUCKET_ACTIVITY_PAYLOAD", context.Option("storage-bucket-activity-payload"))
               .Secret("MINIO_ENDPOINT", secret, RelationData.Endpoint)
               .Secret("AWS_ACCESS_KEY_ID", secret, RelationData.AccessKey)
               .Secret("AWS_SECRET_ACCESS_KEY", secret, RelationData.SecretKey)
               .Value("S3_PATH_STYLE_ACCESS", "true");
        }

        return env;
    }

    // The workload launcher creates job pods, and the bootloader writes its Secret: both need these rights in the namespace.
    private static V1Role JobRunnerRole(RenderContext context, string serviceAccount) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "Role",
        Metadata = WorkloadFactory.Meta(context, serviceAccount),
        Rules =
        [
            new V1PolicyRule
            {
                ApiGroups = [""],
                Resources = ["pods", "pods/log", "secrets", "configmaps"],
                Verbs = ["get", "list", "watch", "create", "update", "patch", "delete"],
            },
            new V1PolicyRule { ApiGroups = ["batch"], Resources = ["jobs"], Verbs = ["get", "list", "watch", "create", "update", "patch", "delete"] },
        ],
    };

    private static V1RoleBinding JobRunnerRoleBinding(RenderContext context, string serviceAccount) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "RoleBinding",
        Metadata = WorkloadFactory.Meta(context, serviceAccount),
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = serviceAccount },
        Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = serviceAccount, NamespaceProperty = context.Namespace }],
    };
}
