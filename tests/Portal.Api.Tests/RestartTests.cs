using System.Net;
using System.Text.Json.Nodes;
using static Portal.Api.Tests.ApiTestData;

namespace Portal.Api.Tests;

/// <summary>What survives a restart of the portal, and what it says at start.</summary>
public sealed class RestartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_cluster_connected_through_the_API_is_connected_again_after_a_restart()
    {
        var directory = PortalApiFactory.NewDataDirectory();
        try
        {
            await using (var first = new PortalApiFactory(directory, keepDataDirectory: true))
            {
                var response = await first.Client().PostJsonAsync("/api/v1/clusters", new JsonObject
                {
                    ["name"] = "kept",
                    ["kubeconfig"] = first.Kubeconfig(),
                });
                await JsonAsync(response, HttpStatusCode.Created);
            }

            await using var second = new PortalApiFactory(directory, keepDataDirectory: false);
            var cluster = await JsonAsync(await second.Client().GetAsync("/api/v1/clusters/kept", Ct), HttpStatusCode.OK);
            Assert.Equal("kept", cluster.GetProperty("name").GetString());
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    public async Task The_portal_warns_at_start_that_the_bootstrap_token_is_accepted()
    {
        await using var factory = new PortalApiFactory();

        await factory.Client().GetAsync("/api/v1/blueprints", Ct);

        Assert.Contains(factory.Logs, line => line.StartsWith("Warning: The REST API accepts the bootstrap token", StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs, line => line.Contains(PortalApiFactory.Token, StringComparison.Ordinal));
    }
}
