using k8s;
using k8s.Models;

namespace Portal.Provisioning.Rendering;

/// <summary>Renders the Kubernetes objects of one kind of component (one renderer per kind).</summary>
/// <remarks>Renderers are pure: the same context gives the same objects. They never put a secret value in an object;
/// Secrets with values are written by the steps that generate or receive them.</remarks>
internal interface IComponentRenderer
{
    string Kind { get; }

    IEnumerable<IKubernetesObject<V1ObjectMeta>> Render(RenderContext context);
}
