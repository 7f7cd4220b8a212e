using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
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
    public async Task The_recurring_renewal_and_rotation_jobs_are_registered_at_start_and_once_after_a_restart()
    {
        var directory = PortalApiFactory.NewDataDirectory();
        try
        {
            for (var start = 0; start < 2; start++)
            {
                await using var factory = new PortalApiFactory(directory, keepDataDirectory: true);
                await factory.Client().GetAsync("/api/v1/blueprints", Ct);

                using var connection = factory.Services.GetRequiredService<Hangfire.JobStorage>().GetConnection();
                var jobs = Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection);
                Assert.Equal(["certificate-renewal", "secret-rotation"], jobs.Select(j => j.Id).Order(StringComparer.Ordinal));
                Assert.All(jobs, j => Assert.Equal("*/5 * * * *", j.Cron));
                Assert.Equal(["RenewDue", "RotateDue"], jobs.OrderBy(j => j.Id, StringComparer.Ordinal)
                    .Select(j => j.Job.Type.Name.StartsWith("Certificate", StringComparison.Ordinal) ? "RenewDue" : "RotateDue"));
            }
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
