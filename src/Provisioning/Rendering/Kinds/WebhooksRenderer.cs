using System.Globalization;
using k8s;
using k8s.Models;
using Portal.Domain.Naming;

namespace Portal.Provisioning.Rendering.Kinds;

/// <summary>Airbyte webhooks: the receiver Deployment and its Service. The contract (env names, port 8080, health paths)
/// is the portal's own, since no public charm exists.</summary>
internal sealed class WebhooksRenderer : IComponentRenderer
{
    public const string SigningSecretKey = "signing-secret";

    /// <summary>Key of the previous signing secret, kept during the grace period after a rotation.</summary>
    public const string PreviousSigningSecretKey = "signing-secret-previous";

    public string Kind => "airbyte-webhooks";

    public IEnumerable<IKubernetesObject<V1ObjectMeta>> Render(RenderContext context)
    {
        var workload = context.Kind.Workloads.Single();
        var secrets = ObjectNames.ComponentSecret(context.Name);
        var env = new Env()
            .Value("TEMPORAL_NAMESPACE", context.Option("temporal-namespace"))
            .Value("TEMPORAL_TASK_QUEUE", context.Option("task-queue"))
            .Value("TEMPORAL_WORKFLOW_TYPE", context.Option("workflow-type"))
            .Value("PATH_PREFIX", context.Option("path-prefix"))
            .Value("SIGNATURE_HEADER", context.Option("signature-header"))
            .Value("MAX_BODY_BYTES", (long.Parse(context.Option("max-body-size"), CultureInfo.InvariantCulture) * 1024 * 1024).ToString(CultureInfo.InvariantCulture))
            .Value("LISTEN_ADDRESS", "0.0.0.0:8080")
            .Secret("SIGNING_SECRET", secrets, SigningSecretKey)
            .Secret("SIGNING_SECRET_PREVIOUS", secrets, PreviousSigningSecretKey, optional: true);

        if (context.RequiredRelation("temporal") is { } temporal)
        {
            var secret = ObjectNames.RelationSecret(temporal);
            env.Secret("TEMPORAL_HOST", secret, RelationData.Host)
               .Secret("TEMPORAL_PORT", secret, RelationData.Port)
               .Value("TEMPORAL_ADDRESS", "$(TEMPORAL_HOST):$(TEMPORAL_PORT)");
        }

        var replicas = int.Parse(context.Option("replicas"), CultureInfo.InvariantCulture);
        var template = WorkloadFactory.PodTemplate(context, workload, _ => new ContainerSetup(env) { Image = context.Option("image") });
        yield return WorkloadFactory.Deployment(context, workload, template, replicas);
        yield return WorkloadFactory.Service(context, workload)!;
    }
}
