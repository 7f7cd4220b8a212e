using System.Collections.Frozen;
using System.Reflection;
using MudBlazor;
using Portal.Domain.Status.Observation;

namespace Portal.Shared.Topology;

/// <summary>The SVG paths of the icons of component kinds (the catalog names a Material icon) and of Kubernetes object kinds.</summary>
public static class KindIcons
{
    /// <summary>Every outlined Material icon of MudBlazor by name: the catalog names icons, the UI draws them inside its own SVG.</summary>
    private static readonly FrozenDictionary<string, string> Outlined = typeof(Icons.Material.Outlined)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(string))
        .ToFrozenDictionary(f => f.Name, f => (string)f.GetValue(null)!, StringComparer.Ordinal);

    /// <summary>The icon of a kind the catalog does not know, or whose icon MudBlazor does not have.</summary>
    public static string Fallback => Icons.Material.Outlined.Widgets;

    /// <summary>The icon of a Material icon name (<c>Hub</c>, <c>Router</c>…); the fallback when there is none.</summary>
    public static string Material(string? name) =>
        name is not null && Outlined.TryGetValue(name, out var path) ? path : Fallback;

    /// <summary>Whether MudBlazor has an outlined icon of this name.</summary>
    public static bool Has(string name) => Outlined.ContainsKey(name);

    /// <summary>The Material icon name of a Kubernetes object kind.</summary>
    public static string ObjectIconName(string kind) => kind switch
    {
        ObjectKinds.Deployment => "Layers",
        ObjectKinds.ReplicaSet => "CopyAll",
        ObjectKinds.StatefulSet => "ViewInAr",
        ObjectKinds.Pod => "Hexagon",
        ObjectKinds.Job => "PlayCircle",
        ObjectKinds.Service => "SettingsEthernet",
        ObjectKinds.Ingress => "Login",
        ObjectKinds.Secret => "VpnKey",
        ObjectKinds.ConfigMap => "Article",
        ObjectKinds.PersistentVolumeClaim => "SdStorage",
        _ => "Widgets",
    };

    public static string Object(string kind) => Material(ObjectIconName(kind));
}
