using k8s;
using k8s.Models;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;
using Portal.Domain.Stacks;

namespace Portal.Provisioning.Rendering;

/// <summary>One rendered object with the component it belongs to.</summary>
internal sealed record RenderedObject(string Component, IKubernetesObject<V1ObjectMeta> Object)
{
    public string ApiVersion => Object.ApiVersion;

    public string Kind => Object.Kind;

    public string Name => Object.Metadata.Name;

    public override string ToString() => $"{Kind}/{Name}";
}

/// <summary>Renders a whole stack, or one component of it, with the portal's labels on every object.</summary>
internal sealed class StackRenderer
{
    private readonly Dictionary<string, IComponentRenderer> _renderers;
    private readonly ComponentCatalog _catalog;

    public StackRenderer(IEnumerable<IComponentRenderer> renderers, ComponentCatalog catalog)
    {
        _renderers = renderers.ToDictionary(r => r.Kind, StringComparer.Ordinal);
        _catalog = catalog;
        var missing = catalog.Kinds.Select(k => k.Name).Where(k => !_renderers.ContainsKey(k)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"No renderer for kind(s) {string.Join(", ", missing)}.");
        }
    }

    public IReadOnlyList<RenderedObject> Render(StackSpec stack, IReadOnlyDictionary<string, int>? secretRevisions = null) =>
        stack.Components.SelectMany(c => RenderComponent(stack, c.Name, secretRevisions)).ToList();

    public IReadOnlyList<RenderedObject> RenderComponent(StackSpec stack, string component, IReadOnlyDictionary<string, int>? secretRevisions = null)
    {
        var context = ContextFor(stack, component, secretRevisions);
        return _renderers[context.Kind.Name].Render(context)
            .Select(o => new RenderedObject(component, Stamp(o, stack, component)))
            .ToList();
    }

    public RenderContext ContextFor(StackSpec stack, string component, IReadOnlyDictionary<string, int>? secretRevisions = null)
    {
        var spec = stack.Component(component);
        return new RenderContext(stack, spec, _catalog.Get(spec.Kind), _catalog, secretRevisions ?? new Dictionary<string, int>());
    }

    /// <summary>Puts the portal's labels and the stack's namespace on an object (and on its pod template).</summary>
    public static IKubernetesObject<V1ObjectMeta> Stamp(IKubernetesObject<V1ObjectMeta> obj, StackSpec stack, string component)
    {
        obj.Metadata.NamespaceProperty ??= stack.Namespace;
        obj.Metadata.Labels ??= new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in Labels(stack, component))
        {
            obj.Metadata.Labels[key] = value;
        }

        var template = obj switch
        {
            V1Deployment d => d.Spec.Template,
            V1StatefulSet s => s.Spec.Template,
            V1Job j => j.Spec.Template,
            _ => null,
        };
        if (template is not null)
        {
            foreach (var (key, value) in Labels(stack, component))
            {
                template.Metadata.Labels[key] = value;
            }
        }

        return obj;
    }

    public static IReadOnlyDictionary<string, string> Labels(StackSpec stack, string component) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [PortalLabels.ManagedBy] = PortalLabels.ManagedByValue,
        [PortalLabels.Name] = component,
        [PortalLabels.Instance] = stack.Name,
        [PortalLabels.Stack] = stack.Name,
        [PortalLabels.Component] = component,
    };
}
