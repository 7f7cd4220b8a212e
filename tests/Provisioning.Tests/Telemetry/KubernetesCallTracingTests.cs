using Portal.Provisioning.Telemetry;

namespace Portal.Provisioning.Tests.Telemetry;

/// <summary>A Kubernetes call's span is named by the resource it addresses, never by an object's name (which would make every span
/// name unique), and knows the namespace.</summary>
public sealed class KubernetesCallTracingTests
{
    [Theory]
    [InlineData("/apis/apps/v1/namespaces/prod/deployments/web", "deployments", "prod")]
    [InlineData("/apis/apps/v1/namespaces/prod/deployments", "deployments", "prod")]
    [InlineData("/api/v1/namespaces/prod/pods/web-1/log", "pods/log", "prod")]
    [InlineData("/api/v1/namespaces/prod/secrets/airbyte-db-relation", "secrets", "prod")]
    [InlineData("/api/v1/namespaces/prod", "namespaces", null)]
    [InlineData("/api/v1/namespaces", "namespaces", null)]
    [InlineData("/api/v1/pods", "pods", null)]
    [InlineData("/apis/networking.k8s.io/v1/ingressclasses/nginx", "ingressclasses", null)]
    [InlineData("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "selfsubjectaccessreviews", null)]
    [InlineData("/version/", "version", null)]
    [InlineData("/", "/", null)]
    public void A_path_is_read_as_its_resource_and_namespace(string path, string resource, string? @namespace)
    {
        var parsed = KubernetesPath.Parse(path);

        Assert.Equal(resource, parsed.Resource);
        Assert.Equal(@namespace, parsed.Namespace);
    }
}
