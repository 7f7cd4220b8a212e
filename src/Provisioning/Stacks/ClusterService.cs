using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Domain.Common;
using Portal.Domain.Operations;
using Portal.Domain.Values;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Persistence;

namespace Portal.Provisioning.Stacks;

/// <summary>Clusters through the registry, remembered in the portal database with the kubeconfig encrypted by Data Protection.</summary>
/// <remarks>Connect, rename and remove run one at a time (a lock), so two requests cannot both take a name or remove a cluster
/// while the other renames it. Every one of them, refused or not, is written to the audit log; a kubeconfig never is.</remarks>
internal sealed class ClusterService(
    ClusterRegistry registry,
    PortalDatabase database,
    IDataProtectionProvider protection,
    TimeProvider time,
    ILogger<ClusterService> logger) : IClusterService, IDisposable
{
    /// <summary>How long a reachability check waits for the server version: a list of clusters must not hang on one.</summary>
    public static readonly TimeSpan ReachabilityTimeout = TimeSpan.FromSeconds(3);

    /// <summary>How long a connection test may take in all (server version and every permission).</summary>
    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(20);

    /// <summary>The Data Protection purpose of stored kubeconfigs.</summary>
    public const string KubeconfigPurpose = "Portal.Clusters.Kubeconfig";

    private const string ConnectAction = "connect-cluster";
    private const string RenameAction = "rename-cluster";
    private const string RemoveAction = "remove-cluster";

    private readonly SemaphoreSlim _changes = new(1, 1);

    public async Task<IReadOnlyList<ClusterView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var records = await db.Clusters.AsNoTracking().ToDictionaryAsync(c => c.Name, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
        var stacks = await StacksUsingAsync(db, null, cancellationToken).ConfigureAwait(false);
        var names = registry.Names.Union(records.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return await Task.WhenAll(names.Select(name =>
            ProbeAsync(name, records.GetValueOrDefault(name), stacks.GetValueOrDefault(name) ?? [], cancellationToken))).ConfigureAwait(false);
    }

    public async Task<ServiceResult<ClusterView>> GetAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var record = await db.Clusters.AsNoTracking().FirstOrDefaultAsync(c => c.Name == name, cancellationToken).ConfigureAwait(false);
        if (record is null && !registry.Contains(name))
        {
            return ServiceResult<ClusterView>.NotFound(NoCluster(name));
        }

        var stacks = await StacksUsingAsync(db, name, cancellationToken).ConfigureAwait(false);
        return ServiceResult<ClusterView>.Ok(await ProbeAsync(name, record, stacks.GetValueOrDefault(name) ?? [], cancellationToken).ConfigureAwait(false));
    }

    public KubeconfigInspection InspectKubeconfig(string? kubeconfig, string? context) => KubeconfigInspector.Inspect(kubeconfig, context);

    public async Task<ServiceResult<ClusterTestResult>> TestAsync(string? kubeconfig, string? context, CancellationToken cancellationToken)
    {
        var inspection = KubeconfigInspector.Inspect(kubeconfig, context);
        var configuration = KubeconfigInspector.Configuration(kubeconfig ?? "", inspection);
        if (!configuration.IsSuccess)
        {
            return ServiceResult<ClusterTestResult>.Invalid(configuration.Errors);
        }

        var selected = inspection.Contexts.First(c => c.Name == inspection.Selected);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TestTimeout);
        using var gateway = new ClusterGateway(selected.Name, configuration.Value, time);
        string? version;
        try
        {
            version = (await gateway.GetVersionAsync(timeout.Token).ConfigureAwait(false)).GitVersion;
        }
        catch (ClusterException e)
        {
            return Tested(selected, inspection, false, null, Unreachable(selected.Name, e), [], null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Tested(selected, inspection, false, null, NoAnswer(selected.Name, TestTimeout), [], null);
        }

        try
        {
            var permissions = await PortalPermissions.CheckAsync(gateway, timeout.Token).ConfigureAwait(false);
            return Tested(selected, inspection, true, version, null, permissions, PortalPermissions.Summary(permissions));
        }
        catch (ClusterException e)
        {
            return Tested(selected, inspection, true, version, null, [], PortalPermissions.Unchecked(e));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Tested(selected, inspection, true, version, null, [],
                $"The portal's permissions could not be checked: the cluster did not answer every access review within {TestTimeout.TotalSeconds:0} seconds.");
        }
    }

    public async Task<ServiceResult<ClusterView>> ConnectAsync(
        string? name, string? kubeconfig, string? context, string actor, CancellationToken cancellationToken)
    {
        var errors = new ErrorList();
        errors.Collect(DnsLabel.TryCreate(name), "name", out var label);
        var inspection = KubeconfigInspector.Inspect(kubeconfig, context);
        errors.AddRange(inspection.Errors);
        if (errors.Count > 0)
        {
            return await RefuseAsync(ServiceResult<ClusterView>.Invalid(errors), actor, ConnectAction, name, cancellationToken).ConfigureAwait(false);
        }

        var cluster = label.Value;
        var selected = inspection.Contexts.First(c => c.Name == inspection.Selected);
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Replacing a connection would point the stacks on it at whatever the new kubeconfig reaches: refuse it.
            if (registry.Contains(cluster))
            {
                return await RefuseAsync(
                    ServiceResult<ClusterView>.Conflict($"A cluster named {cluster} is already connected; choose another name."),
                    actor, ConnectAction, cluster, cancellationToken).ConfigureAwait(false);
            }

            var connected = registry.Connect(cluster, kubeconfig!, selected.Name);
            if (!connected.IsSuccess)
            {
                return await RefuseAsync(ServiceResult<ClusterView>.Invalid(connected.Errors), actor, ConnectAction, cluster, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await using var db = database.CreateContext();
                // A record without a connection is one the portal could not restore (its keys changed): connecting replaces it.
                var record = await db.Clusters.FirstOrDefaultAsync(c => c.Name == cluster, cancellationToken).ConfigureAwait(false);
                if (record is null)
                {
                    record = new ClusterRecord { Name = cluster, CreatedBy = actor, CreatedAt = time.GetUtcNow() };
                    db.Clusters.Add(record);
                }

                record.Source = ClusterSource.Kubeconfig;
                record.ProtectedKubeconfig = protection.CreateProtector(KubeconfigPurpose).Protect(kubeconfig!);
                record.Context = selected.Name;
                db.Audit.Add(AuditRecordFor(actor, ConnectAction, cluster, "connected", $"+ cluster {cluster}: context {selected.Name}, server {selected.Server}"));
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // Not remembered means not connected: a restart would lose it, and the operator was told it failed.
                registry.Disconnect(cluster);
                throw;
            }
        }
        finally
        {
            _changes.Release();
        }

        ClusterServiceLog.Connected(logger, cluster, actor);
        return await GetAsync(cluster, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ServiceResult<ClusterView>> RenameAsync(string name, string? newName, string actor, CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        string renamed;
        try
        {
            await using var db = database.CreateContext();
            var record = await db.Clusters.FirstOrDefaultAsync(c => c.Name == name, cancellationToken).ConfigureAwait(false);
            if (record is null && !registry.Contains(name))
            {
                return ServiceResult<ClusterView>.NotFound(NoCluster(name));
            }

            if (record is null)
            {
                return await RefuseAsync(ServiceResult<ClusterView>.Conflict(FromConfiguration(name, "renamed")), actor, RenameAction, name, cancellationToken).ConfigureAwait(false);
            }

            var errors = new ErrorList();
            errors.Collect(DnsLabel.TryCreate(newName), "name", out var label);
            if (label is not null && label.Value == name)
            {
                errors.Add("name", $"The cluster is already named {name}; give a new name.");
            }

            if (errors.Count > 0)
            {
                return await RefuseAsync(ServiceResult<ClusterView>.Invalid(errors), actor, RenameAction, name, cancellationToken).ConfigureAwait(false);
            }

            renamed = label!.Value;
            if (registry.Contains(renamed) || await db.Clusters.AnyAsync(c => c.Name == renamed, cancellationToken).ConfigureAwait(false))
            {
                return await RefuseAsync(
                    ServiceResult<ClusterView>.Conflict($"A cluster named {renamed} is already connected; choose another name."),
                    actor, RenameAction, name, cancellationToken).ConfigureAwait(false);
            }

            // Stack specs and their operations name the cluster; renaming under them would strand running and retried steps.
            var stacks = (await StacksUsingAsync(db, name, cancellationToken).ConfigureAwait(false)).GetValueOrDefault(name) ?? [];
            if (stacks.Count > 0)
            {
                return await RefuseAsync(
                    ServiceResult<ClusterView>.Conflict(
                        $"Cluster {name} cannot be renamed while {Stacks(stacks)} on it: their specs and operations name the cluster. Tear them down first, or keep the name."),
                    actor, RenameAction, name, cancellationToken).ConfigureAwait(false);
            }

            var connected = Reconnect(renamed, record);
            if (!connected.IsSuccess)
            {
                return await RefuseAsync(ServiceResult<ClusterView>.Conflict(string.Join(" ", connected.Errors.Select(e => e.Message))), actor, RenameAction, name, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                // The name is the key: the record moves to the new key with everything else kept.
                db.Clusters.Remove(record);
                db.Clusters.Add(new ClusterRecord
                {
                    Name = renamed,
                    Source = record.Source,
                    ProtectedKubeconfig = record.ProtectedKubeconfig,
                    Context = record.Context,
                    CreatedAt = record.CreatedAt,
                    CreatedBy = record.CreatedBy,
                });
                db.Audit.Add(AuditRecordFor(actor, RenameAction, name, $"renamed to {renamed}", $"~ name: {name} → {renamed}"));
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                registry.Disconnect(renamed);
                throw;
            }

            registry.Disconnect(name);
        }
        finally
        {
            _changes.Release();
        }

        ClusterServiceLog.Renamed(logger, name, renamed, actor);
        return await GetAsync(renamed, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ServiceResult<string>> RemoveAsync(string name, string actor, CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = database.CreateContext();
            var record = await db.Clusters.FirstOrDefaultAsync(c => c.Name == name, cancellationToken).ConfigureAwait(false);
            if (record is null && !registry.Contains(name))
            {
                return ServiceResult<string>.NotFound(NoCluster(name));
            }

            if (record is null)
            {
                return await RefuseAsync(ServiceResult<string>.Conflict(FromConfiguration(name, "removed")), actor, RemoveAction, name, cancellationToken).ConfigureAwait(false);
            }

            var stacks = (await StacksUsingAsync(db, name, cancellationToken).ConfigureAwait(false)).GetValueOrDefault(name) ?? [];
            if (stacks.Count > 0)
            {
                return await RefuseAsync(
                    ServiceResult<string>.Conflict($"Cluster {name} cannot be removed while {Stacks(stacks)} on it; tear them down first."),
                    actor, RemoveAction, name, cancellationToken).ConfigureAwait(false);
            }

            db.Clusters.Remove(record);
            db.Audit.Add(AuditRecordFor(actor, RemoveAction, name, "removed", $"- cluster {name}: context {record.Context ?? "(in-cluster service account)"}"));
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            registry.Disconnect(name);
        }
        finally
        {
            _changes.Release();
        }

        ClusterServiceLog.Removed(logger, name, actor);
        return ServiceResult<string>.Ok($"Cluster {name} was removed; the portal no longer keeps its kubeconfig.");
    }

    /// <summary>Connects every cluster remembered in the database; one that no longer parses is logged and skipped.</summary>
    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var records = await db.Clusters.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var record in records)
        {
            var result = Reconnect(record.Name, record);
            if (!result.IsSuccess)
            {
                ClusterServiceLog.RestoreFailed(logger, record.Name, string.Join("; ", result.Errors));
            }
        }
    }

    public void Dispose() => _changes.Dispose();

    /// <summary>Connects a remembered cluster under <paramref name="name"/> from its record.</summary>
    private Result<string> Reconnect(string name, ClusterRecord record)
    {
        if (record.Source == ClusterSource.InCluster)
        {
            return registry.ConnectInCluster(name);
        }

        try
        {
            return registry.Connect(name, protection.CreateProtector(KubeconfigPurpose).Unprotect(record.ProtectedKubeconfig ?? ""), record.Context);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return Result<string>.Failure("kubeconfig", $"The stored kubeconfig of cluster {record.Name} cannot be decrypted (the Data Protection keys changed); remove the cluster and connect it again.");
        }
    }

    private async Task<ClusterView> ProbeAsync(string name, ClusterRecord? record, IReadOnlyList<string> stacks, CancellationToken cancellationToken)
    {
        var view = new ClusterView(
            name,
            false,
            null,
            null,
            record is null ? ClusterSources.Configuration : ClusterSources.Added,
            stacks,
            null,
            record?.Context,
            record?.CreatedBy,
            record?.CreatedAt);
        if (!registry.Contains(name))
        {
            return view with
            {
                Message = $"The portal keeps cluster {name} but could not connect it when it started (see the portal's log); remove it and connect it again.",
            };
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReachabilityTimeout);
        try
        {
            var gateway = registry.Gateway(name);
            view = view with { Server = KubeconfigInspector.SafeServer(gateway.Client.BaseUri?.ToString()) };
            var version = await gateway.GetVersionAsync(timeout.Token).ConfigureAwait(false);
            return view with { Reachable = true, ServerVersion = version.GitVersion };
        }
        catch (ClusterException e)
        {
            return view with { Message = Unreachable(name, e) };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return view with { Message = NoAnswer(name, ReachabilityTimeout) };
        }
    }

    /// <summary>The stacks that live on each cluster (or on one), by cluster. A stack whose teardown succeeded has nothing
    /// left in its cluster, so it does not count; one whose deploy failed half-way does.</summary>
    private static async Task<Dictionary<string, IReadOnlyList<string>>> StacksUsingAsync(PortalDbContext db, string? cluster, CancellationToken cancellationToken)
    {
        var stacks = await db.Stacks.AsNoTracking()
            .Where(s => cluster == null || s.Cluster == cluster)
            .Select(s => new { s.Name, s.Cluster, Deployed = s.Applied != null, s.ActiveOperationId, s.LastOperationId })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var settled = stacks.Where(s => !s.Deployed && s.ActiveOperationId is null && s.LastOperationId is not null).Select(s => s.LastOperationId!.Value).ToList();
        var tornDown = settled.Count == 0
            ? []
            : (await db.Operations.AsNoTracking()
                .Where(o => settled.Contains(o.Id) && o.Kind == OperationKind.Teardown && o.State == OperationState.Succeeded)
                .Select(o => o.Id)
                .ToListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet();
        return stacks
            .Where(s => s.LastOperationId is not { } last || !tornDown.Contains(last))
            .GroupBy(s => s.Cluster, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(s => s.Name).Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
    }

    private ServiceResult<ClusterTestResult> Tested(
        KubeconfigContext selected, KubeconfigInspection inspection, bool reachable, string? version, string? message,
        IReadOnlyList<PermissionCheck> permissions, string? permissionsMessage) =>
        ServiceResult<ClusterTestResult>.Ok(new ClusterTestResult(
            selected.Name, selected.Server, reachable, version, message, permissions, permissionsMessage, inspection.Contexts));

    private async Task<ServiceResult<T>> RefuseAsync<T>(ServiceResult<T> refusal, string actor, string action, string? cluster, CancellationToken cancellationToken)
    {
        // A refused request changes nothing, but who tried what and why it was refused belongs in the audit log.
        var result = refusal.Status == ServiceStatus.Invalid
            ? $"refused: {string.Join("; ", refusal.Errors)}"
            : $"refused: {refusal.Message}";
        await using var db = database.CreateContext();
        db.Audit.Add(AuditRecordFor(actor, action, cluster, result, null));
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return refusal;
    }

    // The kubeconfig holds credentials: it never goes into the audit log, only the cluster's name, context and server.
    private AuditRecord AuditRecordFor(string actor, string action, string? cluster, string result, string? diff) => new()
    {
        At = time.GetUtcNow(),
        Actor = actor,
        Action = action,
        // A refused name is whatever was sent: keep enough of it to recognise, not a pasted novel.
        Target = string.IsNullOrWhiteSpace(cluster) ? null : cluster.Trim() is { Length: > 100 } longName ? longName[..100] + "…" : cluster.Trim(),
        Result = result,
        Diff = diff,
    };

    private static string Unreachable(string name, ClusterException e) => e.Status == HttpStatusCode.Unauthorized
        ? $"Cluster {name} answered but refused the credentials (401 Unauthorized): the token or client certificate is wrong or has expired."
        : e.Message;

    private static string NoAnswer(string name, TimeSpan timeout) =>
        $"Cluster {name} is not reachable: no answer within {timeout.TotalSeconds:0} seconds.";

    private static string NoCluster(string name) => $"The portal is not connected to a cluster named {name}.";

    private static string FromConfiguration(string name, string what) =>
        $"Cluster {name} comes from the portal's configuration (Portal:Clusters in appsettings, or the embedded sandbox), so it cannot be {what} here; change the configuration and restart the portal.";

    private static string Stacks(IReadOnlyList<string> stacks) =>
        stacks.Count == 1 ? $"stack {stacks[0]} lives" : $"stacks {string.Join(", ", stacks)} live";
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {Cluster} renamed to {NewName} by {Actor}")]
    public static partial void Renamed(ILogger logger, string cluster, string newName, string actor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {Cluster} removed by {Actor}")]
    public static partial void Removed(ILogger logger, string cluster, string actor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster {Cluster} remembered in the database could not be connected: {Reason}")]
    public static partial void RestoreFailed(ILogger logger, string cluster, string reason);
}
