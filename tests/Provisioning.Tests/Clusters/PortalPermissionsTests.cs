using Portal.Provisioning.Clusters;
using Portal.Sandbox.Api;

namespace Portal.Provisioning.Tests.Clusters;

public class PortalPermissionsTests
{
    private static readonly ResourceRegistry Kubernetes = ResourceRegistry.CreateDefault();

    [Fact]
    public void Every_permission_checked_names_a_resource_and_subresource_the_api_serves()
    {
        foreach (var (verb, group, resource) in PortalPermissions.Needed)
        {
            var parts = resource.Split('/');
            var type = Kubernetes.Find(group, "v1", parts[0]);
            Assert.True(type is not null, $"'{verb} {resource}' in group '{group}' names no resource the API serves");
            Assert.True(parts.Length == 1 || type.Subresources.Contains(parts[1]), $"{resource} has no subresource {parts[^1]}");
        }
    }

    [Fact]
    public void Every_kind_the_portal_writes_is_checked_for_apply_read_list_watch_and_delete()
    {
        foreach (var kind in KubeResources.StackKinds.Append(KubeResources.Of("v1", "Namespace")))
        {
            var type = Kubernetes.FindByKind(kind.ApiVersion, kind.Kind)!;
            foreach (var verb in new[] { "get", "list", "watch", "patch", "delete" })
            {
                Assert.Contains((verb, type.Group, type.Plural), PortalPermissions.Needed);
            }
        }
    }

    [Theory]
    [InlineData("Ingress", "ingresses")]
    [InlineData("PersistentVolumeClaim", "persistentvolumeclaims")]
    [InlineData("Namespace", "namespaces")]
    [InlineData("RoleBinding", "rolebindings")]
    public void Plural_is_the_resource_name_of_a_kind(string kind, string plural) => Assert.Equal(plural, PortalPermissions.Plural(kind));
}
