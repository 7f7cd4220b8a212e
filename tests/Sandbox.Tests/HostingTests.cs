using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Portal.Sandbox.Tests;

/// <summary>Hosting the sandbox: in-process through AddSandboxCluster, over HTTP or HTTPS, with a state file.</summary>
public sealed class HostingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddSandboxCluster_starts_a_cluster_and_writes_a_working_kubeconfig()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sandbox-host-{Guid.NewGuid():N}", "sandbox.kubeconfig");
        var builder = Host.CreateApplicationBuilder();
        builder.AddSandboxCluster(o => o.KubeconfigPath = path);
        using var host = builder.Build();
        await host.StartAsync(Ct);
        try
        {
            Assert.True(File.Exists(path));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
            Assert.Equal(path, host.Services.GetRequiredService<SandboxClusterHost>().KubeconfigPath);
            using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(path));
            var namespaces = await client.CoreV1.ListNamespaceAsync(cancellationToken: Ct);
            Assert.Contains(namespaces.Items, n => n.Metadata.Name == "default");
        }
        finally
        {
            await host.StopAsync(Ct);
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public async Task A_plain_http_sandbox_serves_KubernetesClient()
    {
        await using var cluster = await SandboxServer.StartAsync(new SandboxOptions { UseHttps = false }, Ct);
        Assert.Equal("http", cluster.BaseUrl.Scheme);
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = cluster.BaseUrl.ToString(), AccessToken = cluster.Token });
        var nodes = await client.CoreV1.ListNodeAsync(cancellationToken: Ct);
        Assert.Single(nodes.Items);
    }

    [Fact]
    public async Task The_state_file_keeps_objects_and_resource_versions_across_a_restart()
    {
        var state = Path.Combine(Path.GetTempPath(), $"sandbox-state-{Guid.NewGuid():N}.json");
        try
        {
            string uid;
            long rv;
            await using (var first = await SandboxServer.StartAsync(new SandboxOptions { StateFile = state, Token = "t" }, Ct))
            {
                using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigObject(KubernetesYaml.Deserialize<k8s.KubeConfigModels.K8SConfiguration>(first.Kubeconfig())));
                var map = await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "kept" }, Data = new Dictionary<string, string> { ["a"] = "1" } }, "default", cancellationToken: Ct);
                uid = map.Metadata.Uid;
                rv = first.ResourceVersion;
            }

            await using var second = await SandboxServer.StartAsync(new SandboxOptions { StateFile = state, Token = "t" }, Ct);
            using var again = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigObject(KubernetesYaml.Deserialize<k8s.KubeConfigModels.K8SConfiguration>(second.Kubeconfig())));
            var read = await again.CoreV1.ReadNamespacedConfigMapAsync("kept", "default", cancellationToken: Ct);
            Assert.Equal(uid, read.Metadata.Uid);
            Assert.True(second.ResourceVersion >= rv);
            var created = await again.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "new" } }, "default", cancellationToken: Ct);
            Assert.True(long.Parse(created.Metadata.ResourceVersion) > rv);
        }
        finally
        {
            File.Delete(state);
        }
    }
}
