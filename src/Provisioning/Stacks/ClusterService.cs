using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Domain.Common;
using Portal.Domain.Values;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Persistence;

namespace Portal.Provisioning.Stacks;

/// <summary>Clusters through the registry, remembered in the portal database with the kubeconfig encrypted by Data Protection.</summary>
internal sealed class ClusterService(
    ClusterRegistry registry,
    PortalDatabase database,
    IDataProtectionProvider protection,
    TimeProvider time,
    ILogger<ClusterService> logger) : IClusterService
{
    /// <summary>How long a reachability check waits for the server version: a list of clusters must not hang on one.</summary>
    public static readonly TimeSpan ReachabilityTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The Data Protection purpose of stored kubeconfigs.</summary>
    public const string KubeconfigPurpose = "Portal.Clusters.Kubeconfig";

    public async Task<IReadOnlyList<ClusterView>> ListAsync(CancellationToken cancellationToken) =>
        await Task.WhenAll(registry.Names.Select(name => ProbeAsync(name, cancellationToken))).ConfigureAwait(false);

    public async Task<ServiceResult<ClusterView>> GetAsync(string name, CancellationToken cancellationToken) =>
        registry.Contains(name)
            ? ServiceResult<ClusterView>.Ok(await ProbeAsync(name, cancellationToken).ConfigureAwait(false))
            : ServiceResult<ClusterView>.NotFound($"The portal is not connected to a cluster named {name}.");

    public async Task<ServiceResult<ClusterView>> ConnectAsync(
        string? name, string? kubeconfig, string? context, string actor, CancellationToken cancellationToken)
    {
        var errors = new ErrorList();
        errors.Collect(DnsLabel.TryCreate(name), "name", out _);
        if (string.IsNullOrWhiteSpace(kubeconfig))
        {
            errors.Add("kubeconfig", "A kubeconfig is needed: the text of the file (kubectl config view --raw --minify).");
        }
        else
        {
            var parsed = ClusterConnector.FromKubeconfig(kubeconfig, context);
            if (!parsed.IsSuccess)
            {
                errors.AddRange(parsed.Errors);
            }
        }

        if (errors.Count > 0)
        {
            await AuditAsync(actor, name, $"refused: {string.Join("; ", errors)}", cancellationToken).ConfigureAwait(false);
            return ServiceResult<ClusterView>.Invalid(errors);
        }

        // Replacing a connection would point the stacks on it at whatever the new kubeconfig reaches: refuse it.
        if (registry.Contains(name!))
        {
            var message = $"A cluster named {name} is already connected; choose another name.";
            await AuditAsync(actor, name, $"refused: {message}", cancellationToken).ConfigureAwait(false);
            return ServiceResult<ClusterView>.Conflict(message);
        }

        var connected = registry.Connect(name!, kubeconfig!, context);
        if (!connected.IsSuccess)
        {
            await AuditAsync(actor, name, $"refused: {string.Join("; ", connected.Errors)}", cancellationToken).ConfigureAwait(false);
            return ServiceResult<ClusterView>.Invalid(connected.Errors);
        }

        await using (var db = database.CreateContext())
        {
            var record = await db.Clusters.FirstOrDefaultAsync(c => c.Name == name, cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                record = new ClusterRecord { Name = name!, CreatedBy = actor, CreatedAt = time.GetUtcNow() };
                db.Clusters.Add(record);
            }

            record.Source = ClusterSource.Kubeconfig;
            record.ProtectedKubeconfig = protection.CreateProtector(KubeconfigPurpose).Protect(kubeconfig!);
            record.Context = string.IsNullOrWhiteSpace(context) ? null : context;
            db.Audit.Add(AuditRecordFor(actor, name, "connected"));
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        ClusterServiceLog.Connected(logger, name!, actor);
        return ServiceResult<ClusterView>.Ok(await ProbeAsync(name!, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Connects every cluster remembered in the database; one that no longer parses is logged and skipped.</summary>
    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var records = await db.Clusters.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        var protector = protection.CreateProtector(KubeconfigPurpose);
        foreach (var record in records)
        {
            var result = record.Source == ClusterSource.InCluster
                ? registry.ConnectInCluster(record.Name)
                : Reconnect(record, protector);
            if (!result.IsSuccess)
            {
                ClusterServiceLog.RestoreFailed(logger, record.Name, string.Join("; ", result.Errors));
            }
        }
    }

    private Result<string> Reconnect(ClusterRecord record, IDataProtector protector)
    {
        try
        {
            return registry.Connect(record.Name, protector.Unprotect(record.ProtectedKubeconfig ?? ""), record.Context);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return Result<string>.Failure("kubeconfig", "The stored kubeconfig cannot be decrypted (the Data Protection keys changed); connect the cluster again.");
        }
    }

    private async Task<ClusterView> ProbeAsync(string name, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReachabilityTimeout);
        try
        {
            var version = await registry.Gateway(name).GetVersionAsync(timeout.Token).ConfigureAwait(false);
            return new ClusterView(name, true, version.GitVersion, null);
        }
        catch (ClusterException e)
        {
            return new ClusterView(name, false, null, e.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ClusterView(name, false, null, $"Cluster {name} is not reachable: no answer within {ReachabilityTimeout.TotalSeconds:0} seconds.");
        }
    }

    private async Task AuditAsync(string actor, string? name, string result, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        db.Audit.Add(AuditRecordFor(actor, name, result));
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    // The kubeconfig holds credentials: it never goes into the audit log, only the cluster's name.
    private AuditRecord AuditRecordFor(string actor, string? name, string result) => new()
    {
        At = time.GetUtcNow(),
        Actor = actor,
        Action = "connect-cluster",
        Target = name,
        Result = result,
    };
}

/// <summary>Reconnects the clusters remembered in the database when the portal starts (after the schema migration).</summary>
internal sealed class ClusterRestorer(ClusterService clusters) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => clusters.RestoreAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Log messages of the cluster service.</summary>
internal static partial class ClusterServiceLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {Cluster} connected by {Actor}")]
    public static partial void Connected(ILogger logger, string cluster, string actor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster {Cluster} remembered in the database could not be connected: {Reason}")]
    public static partial void RestoreFailed(ILogger logger, string cluster, string reason);
}
