using System.Text.Json.Nodes;
using Portal.Testing;

namespace Portal.Api.Tests.Install;

/// <summary><c>kubectl apply -k</c> of the base and of each overlay into a cluster of its own (the sandbox, through the
/// machine's kubectl), as an operator installs the portal: the objects are created, the portal's Deployment becomes
/// available, and applying again changes nothing.</summary>
public sealed class KustomizeInstallTests
{
    private static readonly TimeSpan s_kubectl = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData(InstallManifests.Base, "airbyte-portal", "airbyte-portal")]
    [InlineData(InstallManifests.Production, "airbyte-portal", "airbyte-portal")]
    [InlineData(InstallManifests.Demo, "airbyte-portal-demo", "airbyte-portal-demo")]
    public async Task Apply_k_installs_the_portal_and_its_deployment_becomes_available(string variant, string @namespace, string deployment)
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = Directory.CreateTempSubdirectory("portal-install-");
        try
        {
            await using var sandbox = await SandboxProcess.StartAsync(folder.FullName, TimeSpan.FromMinutes(1), ct);
            var needsSecrets = variant != InstallManifests.Demo;
            if (needsSecrets)
            {
                // What the operator guide says to create first: the database and the sign-in provider's credentials.
                await KubectlAsync(sandbox, ["create", "namespace", @namespace]);
                await KubectlAsync(sandbox, ["-n", @namespace, "create", "secret", "generic", "airbyte-portal-database",
                    "--from-literal=connection-string=Host=postgresql.example.internal;Database=portal;Username=portal;Password=not-used-here"]);
                await KubectlAsync(sandbox, ["-n", @namespace, "create", "secret", "generic", "airbyte-portal-oidc",
                    "--from-literal=authority=https://login.example.com/", "--from-literal=client-id=airbyte-portal", "--from-literal=client-secret=not-used-here"]);
            }

            // --validate=false: kubectl validates against the server's OpenAPI documents, which the sandbox does not serve.
            var applied = await KubectlAsync(sandbox, ["apply", "--validate=false", "-k", InstallManifests.Folder(variant)]);
            Assert.Contains($"deployment.apps/{deployment} created", applied, StringComparison.Ordinal);

            var rollout = await KubectlAsync(sandbox, ["-n", @namespace, "rollout", "status", $"deployment/{deployment}", "--timeout=90s"]);
            Assert.Contains("successfully rolled out", rollout, StringComparison.Ordinal);
            var status = JsonNode.Parse(await KubectlAsync(sandbox, ["-n", @namespace, "get", "deployment", deployment, "-o", "json"]))!["status"]!;
            Assert.Equal(1, status["availableReplicas"]?.GetValue<int>());
            var pods = JsonNode.Parse(await KubectlAsync(sandbox, ["-n", @namespace, "get", "pods", "-l", "app.kubernetes.io/name=airbyte-portal", "-o", "json"]))!["items"]!.AsArray();
            var pod = Assert.Single(pods)!;
            Assert.Equal("Running", pod["status"]!["phase"]!.GetValue<string>());
            Assert.Equal(deployment, pod["spec"]!["serviceAccountName"]!.GetValue<string>());

            var clusterRoles = await KubectlAsync(sandbox, ["get", "clusterroles", "-o", "name"]);
            Assert.Equal(needsSecrets, clusterRoles.Contains("clusterrole.rbac.authorization.k8s.io/airbyte-portal", StringComparison.Ordinal));

            var again = await KubectlAsync(sandbox, ["apply", "--validate=false", "-k", InstallManifests.Folder(variant)]);
            Assert.All(again.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.EndsWith(" unchanged", line, StringComparison.Ordinal));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<string> KubectlAsync(SandboxProcess sandbox, string[] args)
    {
        var (exit, stdout, stderr) = await Kubectl.RunAsync(sandbox.Kubeconfig, args, s_kubectl, TestContext.Current.CancellationToken);
        return exit == 0 ? stdout : throw new InvalidOperationException($"kubectl {string.Join(' ', args)} exited with {exit}: {stderr}\n{stdout}");
    }
}
