using System.Text;
using k8s;
using k8s.Exceptions;
using Portal.Domain.Common;

namespace Portal.Provisioning.Clusters;

/// <summary>Turns a kubeconfig (and a context) or the pod's service account into a client configuration.</summary>
internal static class ClusterConnector
{
    /// <summary>Parses a kubeconfig and selects a context; every problem comes back as a plain sentence.</summary>
    public static Result<KubernetesClientConfiguration> FromKubeconfig(string kubeconfig, string? context)
    {
        if (string.IsNullOrWhiteSpace(kubeconfig))
        {
            return Result<KubernetesClientConfiguration>.Failure("kubeconfig", "The kubeconfig is empty.");
        }

        try
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(kubeconfig));
            var config = KubernetesClientConfiguration.LoadKubeConfig(stream);
            var contexts = config.Contexts?.Select(c => c.Name).ToList() ?? [];
            if (contexts.Count == 0)
            {
                return Result<KubernetesClientConfiguration>.Failure("kubeconfig", "The kubeconfig has no context.");
            }

            if (!string.IsNullOrWhiteSpace(context) && !contexts.Contains(context))
            {
                return Result<KubernetesClientConfiguration>.Failure(
                    "context", $"The kubeconfig has no context '{context}'; it has {string.Join(", ", contexts.Select(c => $"'{c}'"))}.");
            }

            return KubernetesClientConfiguration.BuildConfigFromConfigObject(config, string.IsNullOrWhiteSpace(context) ? null : context);
        }
        catch (Exception e) when (e is KubeConfigException or YamlDotNet.Core.YamlException or FormatException or ArgumentException)
        {
            // The parser's message can quote the file; a kubeconfig holds credentials, so say only what kind of problem it is.
            return Result<KubernetesClientConfiguration>.Failure("kubeconfig", "The kubeconfig is not valid YAML in the kubeconfig format.");
        }
    }

    /// <summary>The service account of the pod the portal runs in.</summary>
    public static Result<KubernetesClientConfiguration> InCluster() =>
        KubernetesClientConfiguration.IsInCluster()
            ? KubernetesClientConfiguration.InClusterConfig()
            : Result<KubernetesClientConfiguration>.Failure("inCluster", "The portal is not running in a Kubernetes pod, so it has no service account to use.");

    /// <summary>The context names of a kubeconfig, for the context picker.</summary>
    public static IReadOnlyList<string> ContextsOf(string kubeconfig)
    {
        try
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(kubeconfig));
            return KubernetesClientConfiguration.LoadKubeConfig(stream).Contexts?.Select(c => c.Name).ToList() ?? [];
        }
        catch (Exception e) when (e is KubeConfigException or YamlDotNet.Core.YamlException or FormatException or ArgumentException)
        {
            return [];
        }
    }
}
