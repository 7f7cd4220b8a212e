using k8s;
using k8s.Models;

namespace Portal.Provisioning.Rendering.Kinds;

/// <summary>Lego has no workload: the portal itself is the ACME client. Its certificates are written as
/// <c>kubernetes.io/tls</c> Secrets by the certificate steps, not rendered here.</summary>
internal sealed class LegoRenderer : IComponentRenderer
{
    public string Kind => "lego";

    public IEnumerable<IKubernetesObject<V1ObjectMeta>> Render(RenderContext context) => [];
}
