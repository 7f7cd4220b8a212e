using System.Globalization;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Live;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Persistence;

namespace Portal.Provisioning.Telemetry;

/// <summary>The portal's health checks: <see cref="Live"/> (the process answers, nothing else) and <see cref="Ready"/> (the portal
/// database, the job server, every connected cluster's watch cache).</summary>
/// <remarks>A cluster whose watch is down makes the portal <c>Degraded</c>, still ready (200): the portal manages several clusters,
/// and one unreachable cluster must not take the UI out of its Service — it is where the operator sees which one is down. The
/// database and the job server are the portal itself: without them it is <c>Unhealthy</c> (503).</remarks>
/// <remarks>Each check says what it found in one sentence an operator understands; none of them puts a connection string, a host
/// of the database, a token or an exception message into its result.</remarks>
public static class PortalHealthChecks
{
    /// <summary>The tag of the liveness check (<c>/healthz</c>).</summary>
    public const string Live = "live";

    /// <summary>The tag of the readiness checks (<c>/readyz</c>).</summary>
    public const string Ready = "ready";

    /// <summary>How long a readiness check may take before it counts as failed.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Registers the checks: <c>process</c> (live), <c>database</c>, <c>jobs</c> and <c>clusters</c> (ready).</summary>
    public static IHealthChecksBuilder AddPortalChecks(this IHealthChecksBuilder builder)
    {
        builder.AddCheck("process", () => HealthCheckResult.Healthy("The portal process answers."), [Live]);
        builder.AddCheck<DatabaseHealthCheck>("database", HealthStatus.Unhealthy, [Ready], Timeout);
        builder.AddCheck<JobServerHealthCheck>("jobs", HealthStatus.Unhealthy, [Ready], Timeout);
        builder.AddCheck<ClusterWatchesHealthCheck>("clusters", HealthStatus.Degraded, [Ready], Timeout);
        return builder;
    }
}

/// <summary>The portal database answers a query.</summary>
internal sealed class DatabaseHealthCheck(PortalDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var name = database.Options.IsPostgres ? "PostgreSQL" : "SQLite";
        try
        {
            // Straight on the connection, not through EF's retrying strategy: a probe wants the answer now.
            await using var db = database.CreateContext();
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"The portal database ({name}) answers.");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The portal database ({name}) did not answer within {PortalHealthChecks.Timeout.TotalSeconds:0} seconds.");
        }
#pragma warning disable CA1031 // Any failure to reach the database is the answer, not a crash of the probe.
        catch (Exception e)
#pragma warning restore CA1031
        {
            // The exception goes to the health-check log, never into the response: a driver's message can name the server.
            return HealthCheckResult.Unhealthy($"The portal database ({name}) cannot be reached ({e.GetType().Name}).", e);
        }
    }
}

/// <summary>Hangfire's storage answers and a job server that runs steps has reported in lately.</summary>
internal sealed class JobServerHealthCheck(JobStorage storage, TimeProvider time) : IHealthCheck
{
    /// <summary>A server reports every 30 seconds; one that has been quiet for this long has stopped.</summary>
    public static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromMinutes(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        IList<Hangfire.Storage.Monitoring.ServerDto> servers;
        try
        {
            // The monitoring API is synchronous; off the request thread, and abandoned at the check's timeout.
            servers = await Task.Run(() => storage.GetMonitoringApi().Servers(), cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The job storage did not answer within {PortalHealthChecks.Timeout.TotalSeconds:0} seconds.");
        }
#pragma warning disable CA1031 // Any failure to reach the storage is the answer, not a crash of the probe.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Unhealthy($"The job storage cannot be reached ({e.GetType().Name}).", e);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var stepServers = servers.Where(s => s.Queues?.Contains(StepJob.QueueName) == true).ToList();
        var alive = stepServers.Where(s => s.Heartbeat is { } beat && now - DateTime.SpecifyKind(beat, DateTimeKind.Utc) <= HeartbeatTimeout).ToList();
        if (alive.Count > 0)
        {
            var latest = alive.Max(s => DateTime.SpecifyKind(s.Heartbeat!.Value, DateTimeKind.Utc));
            var ago = now - latest < TimeSpan.Zero ? TimeSpan.Zero : now - latest;
            return HealthCheckResult.Healthy(string.Create(
                CultureInfo.InvariantCulture,
                $"{alive.Count} job server(s) run the steps; the latest reported {ago.TotalSeconds:0} s ago."));
        }

        return HealthCheckResult.Unhealthy(stepServers.Count == 0
            ? "No job server runs the steps: operations would not progress."
            : $"No job server that runs the steps has reported in the last {HeartbeatTimeout.TotalMinutes:0} minutes: operations would not progress.");
    }
}

/// <summary>Every connected cluster's watch cache is synced: it has listed every kind and none is failing; <c>Degraded</c> naming the
/// clusters that are not.</summary>
internal sealed class ClusterWatchesHealthCheck(IClusterRegistry registry, ILiveClusters live) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var names = registry.Names;
        if (names.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("No cluster is connected."));
        }

        var problems = new List<string>();
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var status = live.Find(name);
            var problem = status switch
            {
                null => $"the portal is not watching cluster {name} yet",
                { Synced: false } => status.Problem ?? $"the portal is still reading cluster {name}",
                _ => null,
            };
            data[name] = problem ?? "synced";
            if (problem is not null)
            {
                problems.Add(problem);
            }
        }

        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy($"The watch of every connected cluster is synced ({string.Join(", ", names)}).", data)
            : HealthCheckResult.Degraded(Sentence(string.Join("; ", problems)), data: data));
    }

    private static string Sentence(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..] + (text.EndsWith('.') ? "" : ".");
}
