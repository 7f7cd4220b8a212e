using k8s;
using k8s.Models;
using Portal.Testing;

namespace Portal.Api.Tests.Install;

/// <summary>The in-cluster install (<c>deploy/kustomize</c>) as kubectl builds it: the base and each overlay.</summary>
internal static class InstallManifests
{
    public const string Base = "base";

    public const string Production = "overlays/production";

    public const string Demo = "overlays/demo";

    public static string Folder(string variant) => Path.Combine(Builds.RepositoryRoot, "deploy", "kustomize", variant);

    /// <summary>The objects of <c>kubectl kustomize</c> of <paramref name="variant"/>, typed.</summary>
    public static async Task<IReadOnlyList<object>> BuildAsync(string variant, CancellationToken ct)
    {
        // kustomize needs no cluster; kubectl still wants a kubeconfig file to exist.
        var (exit, yaml, error) = await Kubectl.RunAsync("/dev/null", ["kustomize", Folder(variant)], TimeSpan.FromMinutes(1), ct);
        Assert.True(exit == 0, $"kubectl kustomize {variant} failed: {error}");
        return KubernetesYaml.LoadAllFromString(yaml);
    }

    public static V1Deployment Deployment(IReadOnlyList<object> objects) => Assert.Single(objects.OfType<V1Deployment>());

    public static V1Container Portal(IReadOnlyList<object> objects) => Assert.Single(Deployment(objects).Spec.Template.Spec.Containers);
}
