using System.ComponentModel;
using Hangfire;
using k8s.Models;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Domain.Catalog;
using Portal.Domain.Secrets;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Infrastructure;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Secrets.Inventory;
using Portal.Provisioning.Secrets.Rotation;

namespace Portal.Provisioning.Secrets.Schedule;

/// <summary>Rotation by policy, and the end of grace periods: for each deployed stack with no operation running, while its maintenance
/// window is open, first drops the previous value of a dual-validity secret whose grace period is over; otherwise starts the
/// rotation of one secret whose policy is due (<see cref="RotationSchedule.Next"/>: the period after its last rotation, or its
/// creation, moved into the window), the longest due first, through <see cref="ISecretRotations"/> as <see cref="Actor"/>. Values
/// the operator supplies (the OAuth client secret) are never rotated here: the inventory says they need the operator.</summary>
/// <remarks>One rotation at a time per stack: a stack with an operation is skipped, and the operation starter refuses a second
/// start on a stack (its version guards the start), so two runs at once start one rotation. A run reads everything afresh; a
/// rotation refused or failed is looked at again on the next run.</remarks>
internal sealed partial class SecretRotationScheduler(
    PortalDatabase database,
    ClusterRegistry clusters,
    ComponentCatalog catalog,
    RotatableSecrets rotatable,
    ISecretRotations rotations,
    TimeProvider time,
    ILogger<SecretRotationScheduler> logger)
{
    /// <summary>Who the scheduled rotations are requested by (the audit log's actor, the Secret's rotated-by).</summary>
    public const string Actor = "scheduler";

    /// <summary>Starts the rotations that are due; returns what it started, as <c>&lt;stack&gt;/&lt;secret id&gt;</c>.</summary>
    public async Task<IReadOnlyList<string>> RotateDueAsync(CancellationToken cancellationToken)
    {
        List<StackRecord> stacks;
        await using (var context = database.CreateContext())
        {
            stacks = await context.Stacks.AsNoTracking().Where(s => s.ActiveOperationId == null && s.Applied != null)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        }

        var now = time.GetUtcNow();
        var started = new List<string>();
        foreach (var record in stacks.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var spec = record.Applied!;
            var window = SecretInventory.WindowOf(spec, catalog);
            if (window is not null && !window.Contains(now))
            {
                continue;
            }

            try
            {
                // A grace period that ended comes first: until its previous value is dropped, a signing secret has two valid values.
                if (await GraceOverAsync(record, now, cancellationToken).ConfigureAwait(false) is { } over)
                {
                    var dropped = await rotations.DropPreviousAsync(record.Name, over, Actor, cancellationToken).ConfigureAwait(false);
                    if (dropped.IsSuccess)
                    {
                        started.Add($"{record.Name}/{over}");
                        Log.DropStarted(logger, over, record.Name, dropped.Value.OperationId);
                    }
                    else
                    {
                        Log.RotationRefused(logger, over, record.Name, dropped.Errors.Count > 0 ? string.Join("; ", dropped.Errors) : dropped.Message);
                    }

                    continue;
                }

                if (await DueAsync(record, now, cancellationToken).ConfigureAwait(false) is not { } due)
                {
                    continue;
                }

                var reason = $"rotation policy {RotationSchedule.Word(due.Policy)} is due";
                var result = await rotations.RotateAsync(record.Name, due.Id, new SecretRotationRequest(reason), Actor, cancellationToken).ConfigureAwait(false);
                if (result.IsSuccess)
                {
                    started.Add($"{record.Name}/{due.Id}");
                    Log.RotationStarted(logger, due.Id, record.Name, result.Value.OperationId);
                }
                else
                {
                    Log.RotationRefused(logger, due.Id, record.Name, result.Errors.Count > 0 ? string.Join("; ", result.Errors) : result.Message);
                }
            }
            catch (ClusterException e)
            {
                Log.ClusterUnavailable(logger, record.Name, e.Message);
            }
        }

        return started;
    }

    // A dual-validity secret of the stack (the webhook signing secret) whose grace period is over while it still holds its previous value.
    private async Task<string?> GraceOverAsync(StackRecord record, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var spec = record.Applied!;
        var cluster = clusters.Gateway(record.Cluster);
        foreach (var secret in SecretInventory.Of(spec, catalog).Where(s => s.Definition.Rotation == RotationStrategy.DualValidity && s.NotRotatable is null))
        {
            if (rotatable.Find(spec, secret.Id.ToString()).Secret is not { Method: RotationMethod.DualValidity } found)
            {
                continue;
            }

            var live = await cluster.ReadAsync<V1Secret>("v1", "Secret", spec.Namespace, found.SecretName, cancellationToken).ConfigureAwait(false);
            if (live is not null
                && DualValiditySecrets.GraceEnd(live, DualValiditySecrets.PreviousKey(found), DualValiditySecrets.GraceOf(spec, catalog, found)) is { } end
                && end <= now)
            {
                return found.Id;
            }
        }

        return null;
    }

    // The secret of the stack whose policy has been due the longest and which the portal rotates by itself, or null.
    private async Task<(string Id, RotationPeriod Policy)?> DueAsync(StackRecord record, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var spec = record.Applied!;
        var window = SecretInventory.WindowOf(spec, catalog);
        var cluster = clusters.Gateway(record.Cluster);
        var read = new Dictionary<string, V1Secret?>(StringComparer.Ordinal);
        (string Id, RotationPeriod Policy, DateTimeOffset Next)? first = null;
        foreach (var secret in SecretInventory.Of(spec, catalog))
        {
            if (secret.NotRotatable is not null
                || secret.Definition.Rotation == RotationStrategy.OperatorSupplied || secret.Definition.Source == SecretSource.OperatorSupplied)
            {
                continue;
            }

            if (!read.TryGetValue(secret.KubernetesSecret, out var live))
            {
                live = await cluster.ReadAsync<V1Secret>("v1", "Secret", spec.Namespace, secret.KubernetesSecret, cancellationToken).ConfigureAwait(false);
                read[secret.KubernetesSecret] = live;
            }

            if (live?.Metadata is null
                || RotationSchedule.Parse(SecretAnnotations.Read(live, SecretAnnotations.RotationPolicy, secret.Name)) is not { IsSuccess: true } parsed
                || parsed.Value == RotationPeriod.Never)
            {
                continue;
            }

            var created = live.Metadata.CreationTimestamp is { } c ? new DateTimeOffset(DateTime.SpecifyKind(c, DateTimeKind.Utc)) : (DateTimeOffset?)null;
            if ((SecretAnnotations.Rotated(live, secret.Name, secret.Keys).At ?? created) is not { } last
                || RotationSchedule.Next(parsed.Value, last, window) is not { } next
                || next > now)
            {
                continue;
            }

            var found = rotatable.Find(spec, secret.Id.ToString());
            if (found.Secret is null || found.Secret.Method == RotationMethod.OperatorSupplied)
            {
                continue;
            }

            if (first is null || next < first.Value.Next)
            {
                first = (secret.Id.ToString(), parsed.Value, next);
            }
        }

        return first is { } chosen ? (chosen.Id, chosen.Policy) : null;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "The rotation policy of {Secret} on stack {Stack} is due: rotation started as operation {OperationId}")]
        public static partial void RotationStarted(ILogger logger, string secret, string stack, Guid? operationId);

        [LoggerMessage(Level = LogLevel.Information, Message = "The grace period of {Secret} on stack {Stack} is over: its previous value is dropped by operation {OperationId}")]
        public static partial void DropStarted(ILogger logger, string secret, string stack, Guid? operationId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The rotation policy of {Secret} on stack {Stack} is due, but the rotation was refused: {Why}")]
        public static partial void RotationRefused(ILogger logger, string secret, string stack, string? why);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The secrets of stack {Stack} could not be read for their rotation policies: {Why}")]
        public static partial void ClusterUnavailable(ILogger logger, string stack, string why);
    }
}

/// <summary>The recurring Hangfire job that rotates secrets by policy: every <see cref="Cron"/> it runs
/// <see cref="SecretRotationScheduler.RotateDueAsync"/>.</summary>
/// <remarks>The type and method names are persisted by Hangfire: don't rename them. No argument: the job reads everything.
/// One run at a time; a run that fails is not retried (the next one comes in five minutes).</remarks>
[Queue("default")]
[AutomaticRetry(Attempts = 0)]
[DisableConcurrentExecution(timeoutInSeconds: 60)]
internal sealed class SecretRotationJob(SecretRotationScheduler scheduler)
{
    public const string Id = "secret-rotation";
    public const string Cron = "*/5 * * * *";

    [DisplayName("Rotate the secrets whose policy is due")]
    public Task RunAsync(CancellationToken cancellationToken) => scheduler.RotateDueAsync(cancellationToken);
}

/// <summary>Registers the rotation scheduler and its recurring job (called from <c>AddProvisioning</c>; the rotations themselves
/// come with the step handlers).</summary>
internal static class SecretRotationScheduleServiceCollectionExtensions
{
    public static IServiceCollection AddSecretRotationSchedule(this IServiceCollection services)
    {
        services.AddSingleton<SecretRotationScheduler>();
        services.AddRecurringJob<SecretRotationJob>(jobs =>
            jobs.AddOrUpdate<SecretRotationJob>(SecretRotationJob.Id, job => job.RunAsync(CancellationToken.None), SecretRotationJob.Cron));
        return services;
    }
}
