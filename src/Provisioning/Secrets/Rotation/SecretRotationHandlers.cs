using k8s.Models;
using Portal.Domain.Naming;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Infrastructure;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Relations.Postgresql;
using Portal.Provisioning.Steps;
using Portal.Provisioning.Steps.Relations;

namespace Portal.Provisioning.Secrets.Rotation;

/// <summary>What the secret steps share: the secret of the step, its cluster, the database admin, and setting a database password.</summary>
internal sealed class SecretRotationSteps(
    StepTools tools, RotatableSecrets secrets, IDatabaseAdmin databases, AwaitHealthyHandler health, StepPolicy policy, InClusterPasswordJobs passwords)
{
    public StepTools Tools => tools;

    /// <summary>The Jobs that set passwords on the in-cluster server.</summary>
    public InClusterPasswordJobs Passwords => passwords;

    public IDatabaseAdmin Databases => databases;

    public AwaitHealthyHandler Health => health;

    public StepPolicy Policy => policy;

    /// <summary>The step's secret as the stack has it, or the failure to report when it has it no more.</summary>
    public (RotatableSecret? Secret, StepOutcome? Failure) SecretOf(StepExecution execution)
    {
        var id = execution.Step.Subject?.Host;
        var found = secrets.Find(execution.Target, id);
        return found.Secret is null
            ? (null, StepOutcome.Fail(found.Problem ?? $"stack {execution.Target.Name} has no secret {id}", permanent: true))
            : (found.Secret, null);
    }

    public IClusterGateway Cluster(StepExecution execution) => tools.Cluster(execution.Target);

    public static string Writer(StepExecution execution) => execution.Operation.Id.ToString();

    /// <summary>Sets <paramref name="password"/> on the relation role of <paramref name="secret"/>; null when it worked, else why not.</summary>
    public async Task<(string? Problem, bool Transient)> SetPasswordAsync(
        IClusterGateway cluster, StackSpec stack, RotatableSecret secret, string password, CancellationToken cancellationToken)
    {
        var admin = await PostgresqlClientWiring.AdminLoginAsync(tools, cluster, stack, secret.Owner, cancellationToken).ConfigureAwait(false);
        if (!admin.IsSuccess)
        {
            return (admin.Error, false);
        }

        try
        {
            var rotated = await databases.RotatePasswordAsync(admin.Login!, secret.Role(stack), password, cancellationToken).ConfigureAwait(false);
            return rotated.IsSuccess ? (null, false) : (string.Join("; ", rotated.Errors), false);
        }
        catch (DatabaseAdminException e)
        {
            return (e.Message, e.IsTransient);
        }
    }

    /// <summary>Writes <paramref name="value"/> into each copy of <paramref name="secret"/> (MinIO's root password into the
    /// object-storage relations' Secrets) as a new revision; a copy this operation already wrote stays. Returns what it did, as the
    /// end of a sentence.</summary>
    public async Task<string> CopyAsync(
        IClusterGateway cluster, StackSpec stack, RotatableSecret secret, string value, StepExecution execution, CancellationToken cancellationToken)
    {
        var written = new List<string>();
        foreach (var copy in secret.Copies)
        {
            var installed = await SecretRevisions.InstallAsync(
                cluster, stack.Namespace, copy.SecretName, copy.Key, value, Writer(execution), execution.Operation.RequestedBy, tools.Time.GetUtcNow(), cancellationToken)
                .ConfigureAwait(false);
            written.Add($"{copy.SecretName} (revision {installed.Revision})");
        }

        return written.Count == 0 ? "" : $"; copied into {string.Join(", ", written)}";
    }

    /// <summary>Renders <paramref name="component"/> with the live Secret revisions and applies its Deployments and StatefulSets, so
    /// that their pod templates name the revisions now live.</summary>
    public async Task ReapplyWorkloadsAsync(IClusterGateway cluster, StackSpec stack, string component, CancellationToken cancellationToken)
    {
        var revisions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var secret in await cluster.ListAsync("v1", "Secret", stack.Namespace, PortalLabels.StackSelector(stack.Name), cancellationToken).ConfigureAwait(false))
        {
            revisions[secret.Metadata.Name] = ManagedSecrets.RevisionOf((V1Secret)secret);
        }

        foreach (var rendered in tools.Renderer.RenderComponent(stack, component, revisions)
                     .Where(o => o.Object is V1Deployment or V1StatefulSet && o.Object.Metadata.Labels?.ContainsKey(PortalLabels.Relation) != true))
        {
            await cluster.ApplyAsync(rendered.Object, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>Gives the step's secret a new value as a new revision of its Secret. The value is made once per operation and waits in
/// the cluster (<see cref="RotatableSecret.PendingName"/>) until it is stored, so a redelivered step never makes a second one; a
/// database password is set on the role through the admin connection before the Secret changes.</summary>
internal sealed class RotateSecretHandler(SecretRotationSteps steps) : IStepHandler
{
    public StepKind Kind => StepKind.RotateSecret;

    public async Task<StepOutcome> RunAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        var (secret, failure) = steps.SecretOf(execution);
        if (secret is null)
        {
            return failure!;
        }

        var stack = execution.Target;
        var cluster = steps.Cluster(execution);
        var writer = SecretRotationSteps.Writer(execution);
        var live = await SecretRevisions.ReadAsync(cluster, stack.Namespace, secret.SecretName, cancellationToken).ConfigureAwait(false);
        if (live is null)
        {
            return StepOutcome.Fail($"Secret {secret.SecretName} does not exist: deploy the stack before rotating {secret.Id}", permanent: true);
        }

        if (SecretRevisions.WrittenBy(live) == writer)
        {
            // Stored before a crash: the copies and the clean-up may still be missing.
            var copied = await steps.CopyAsync(cluster, stack, secret, ManagedSecrets.Value(live, secret.Key) ?? "", execution, cancellationToken).ConfigureAwait(false);
            await CleanUpAsync(cluster, stack, secret, writer, cancellationToken).ConfigureAwait(false);
            return StepOutcome.Ok($"revision {ManagedSecrets.RevisionOf(live)} of Secret {secret.SecretName} was already stored by this operation{copied}");
        }

        Func<string>? make = secret.Method switch
        {
            RotationMethod.DatabasePassword or RotationMethod.GeneratedWithCopies or RotationMethod.InClusterDatabasePassword => () => PasswordGenerator.Generate(),
            RotationMethod.Generated => ComponentSecrets.NewCookieSecret,
            RotationMethod.DualValidity => DualValiditySecrets.NewSigningSecret,
            _ => null,
        };
        var value = await SecretRevisions.PendingAsync(
            cluster, stack.Namespace, secret.PendingName, secret.Key, writer, SecretRevisions.LabelsOf(live), make, cancellationToken).ConfigureAwait(false);
        if (value is null)
        {
            return StepOutcome.Fail($"the new value of {secret.Id} is no longer in the cluster (Secret {secret.PendingName}); start the rotation again with the value", permanent: true);
        }

        var role = "";
        if (secret.Method == RotationMethod.DatabasePassword)
        {
            var (problem, transient) = await steps.SetPasswordAsync(cluster, stack, secret, value, cancellationToken).ConfigureAwait(false);
            if (problem is not null)
            {
                return StepOutcome.Fail($"the new password could not be set on role {secret.Role(stack)}: {problem}", permanent: !transient);
            }

            role = $"; role {secret.Role(stack)} has the new password";
        }
        else if (secret.Method == RotationMethod.InClusterDatabasePassword)
        {
            // The Job reads the new password from the pending Secret; the step waits for it (and fails with its reason).
            var set = await steps.Passwords.SetAsync(
                cluster, stack, secret, InClusterPasswordJobs.Rotate, writer, new(secret.PendingName, secret.Key), InClusterPasswordJobs.SuperuserLogin(secret), cancellationToken)
                .ConfigureAwait(false);
            if (set is not StepOutcome.Done)
            {
                return set;
            }

            role = $"; a Job set the new password on role {secret.Role(stack)}";
        }

        Certificates.InstalledRevision installed;
        try
        {
            installed = secret.Method == RotationMethod.DualValidity
                ? await DualValiditySecrets.InstallAsync(cluster, stack.Namespace, secret, value, writer, execution.Operation.RequestedBy, steps.Tools.Time.GetUtcNow(), cancellationToken)
                    .ConfigureAwait(false)
                : await SecretRevisions.InstallAsync(
                    cluster, stack.Namespace, secret.SecretName, secret.Key, value, secret.Name, writer, execution.Operation.RequestedBy, steps.Tools.Time.GetUtcNow(),
                    cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterException e) when (!e.Transient && secret.Method == RotationMethod.DatabasePassword
                                          && ManagedSecrets.Value(live, secret.Key) is { Length: > 0 } previous)
        {
            // The Secret cannot take the new password: give the role the one its consumers still load, rather than lock them out.
            var (problem, _) = await steps.SetPasswordAsync(cluster, stack, secret, previous, cancellationToken).ConfigureAwait(false);
            var back = problem is null ? $"role {secret.Role(stack)} has its previous password again" : $"the previous password could not be set back on role {secret.Role(stack)}: {problem}";
            return StepOutcome.Fail($"the new password could not be stored in Secret {secret.SecretName}: {e.Message}; {back}", permanent: true);
        }
        catch (ClusterException e) when (!e.Transient && secret.Method == RotationMethod.InClusterDatabasePassword)
        {
            // As above, through a Job: the role gets back the password the Secret still holds (the superuser logs in with the new one).
            var login = secret.Relation is null ? new SecretKeySource(secret.PendingName, secret.Key) : InClusterPasswordJobs.SuperuserLogin(secret);
            var back = await steps.Passwords.SetAsync(
                cluster, stack, secret, InClusterPasswordJobs.Rollback, writer, new(secret.SecretName, secret.Key), login, cancellationToken).ConfigureAwait(false);
            return back switch
            {
                StepOutcome.NotReady waiting => StepOutcome.Wait($"the new password could not be stored in Secret {secret.SecretName}; {waiting.WaitingFor} back"),
                StepOutcome.Failed failed => StepOutcome.Fail(
                    $"the new password could not be stored in Secret {secret.SecretName}: {e.Message}; the previous password could not be set back on role {secret.Role(stack)}: {failed.Error}", permanent: true),
                _ => StepOutcome.Fail(
                    $"the new password could not be stored in Secret {secret.SecretName}: {e.Message}; a Job set the previous password on role {secret.Role(stack)} again", permanent: true),
            };
        }

        var copies = await steps.CopyAsync(cluster, stack, secret, value, execution, cancellationToken).ConfigureAwait(false);
        await CleanUpAsync(cluster, stack, secret, writer, cancellationToken).ConfigureAwait(false);
        return StepOutcome.Ok($"stored revision {installed.Revision} of Secret {secret.SecretName}, keeping revision {installed.Revision - 1}{role}{copies}");
    }

    // Once the revision is stored, the value no longer waits and the in-cluster Job's work is recorded in the Secret.
    private static async Task CleanUpAsync(IClusterGateway cluster, StackSpec stack, RotatableSecret secret, string writer, CancellationToken cancellationToken)
    {
        if (secret.Method == RotationMethod.InClusterDatabasePassword)
        {
            await InClusterPasswordJobs.DeleteAsync(cluster, stack, secret, InClusterPasswordJobs.Rotate, writer, cancellationToken).ConfigureAwait(false);
        }

        await cluster.DeleteAsync("v1", "Secret", stack.Namespace, secret.PendingName, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Installs a kept revision of the step's secret again, as a new revision (a roll-back); for a database password it sets
/// that revision's password on the role first.</summary>
internal sealed class RestoreSecretHandler(SecretRotationSteps steps) : IStepHandler
{
    public StepKind Kind => StepKind.RestoreSecret;

    public async Task<StepOutcome> RunAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        var (secret, failure) = steps.SecretOf(execution);
        if (secret is null)
        {
            return failure!;
        }

        if (execution.Step.Subject?.Revision is not { } revision)
        {
            return StepOutcome.Fail("the step does not say which revision to restore", permanent: true);
        }

        var stack = execution.Target;
        var cluster = steps.Cluster(execution);
        var writer = SecretRotationSteps.Writer(execution);
        var live = await SecretRevisions.ReadAsync(cluster, stack.Namespace, secret.SecretName, cancellationToken).ConfigureAwait(false);
        if (live is not null && SecretRevisions.WrittenBy(live) == writer)
        {
            var copied = await steps.CopyAsync(cluster, stack, secret, ManagedSecrets.Value(live, secret.Key) ?? "", execution, cancellationToken).ConfigureAwait(false);
            await DeleteJobAsync(cluster, stack, secret, writer, cancellationToken).ConfigureAwait(false);
            return StepOutcome.Ok($"revision {ManagedSecrets.RevisionOf(live)} of Secret {secret.SecretName} was already restored by this operation{copied}");
        }

        var kept = await SecretRevisions.ReadAsync(cluster, stack.Namespace, ObjectNames.SecretRevision(secret.SecretName, revision), cancellationToken).ConfigureAwait(false);
        if (ManagedSecrets.Value(kept, secret.Key) is not { Length: > 0 } value)
        {
            return StepOutcome.Fail($"revision {revision} of Secret {secret.SecretName} is no longer kept; roll back to one of the kept revisions", permanent: true);
        }

        var role = "";
        if (secret.Method == RotationMethod.DatabasePassword)
        {
            var (problem, transient) = await steps.SetPasswordAsync(cluster, stack, secret, value, cancellationToken).ConfigureAwait(false);
            if (problem is not null)
            {
                return StepOutcome.Fail($"the password of revision {revision} could not be set on role {secret.Role(stack)}: {problem}", permanent: !transient);
            }

            role = $"; role {secret.Role(stack)} has its password again";
        }
        else if (secret.Method == RotationMethod.InClusterDatabasePassword)
        {
            var set = await steps.Passwords.SetAsync(
                cluster, stack, secret, InClusterPasswordJobs.Restore, writer, new(ObjectNames.SecretRevision(secret.SecretName, revision), secret.Key),
                InClusterPasswordJobs.SuperuserLogin(secret), cancellationToken).ConfigureAwait(false);
            if (set is not StepOutcome.Done)
            {
                return set;
            }

            role = $"; a Job set its password on role {secret.Role(stack)} again";
        }

        // Only this secret's key comes back: the other secrets of a shared Secret stay as they are live.
        var restored = await SecretRevisions.RestoreAsync(
            cluster, stack.Namespace, secret.SecretName, revision, [secret.Key], secret.Name, writer, execution.Operation.RequestedBy, steps.Tools.Time.GetUtcNow(),
            cancellationToken).ConfigureAwait(false);
        if (restored is null)
        {
            return StepOutcome.Fail($"revision {revision} of Secret {secret.SecretName} is no longer kept; roll back to one of the kept revisions", permanent: true);
        }

        var copies = await steps.CopyAsync(cluster, stack, secret, value, execution, cancellationToken).ConfigureAwait(false);
        await DeleteJobAsync(cluster, stack, secret, writer, cancellationToken).ConfigureAwait(false);
        var now = await SecretRevisions.ReadAsync(cluster, stack.Namespace, secret.SecretName, cancellationToken).ConfigureAwait(false);
        var own = now is null ? "" : $" ({secret.Name} revision {Inventory.SecretAnnotations.SecretRevision(kept!, secret.Name, [secret.Key])} is live again as its revision {Inventory.SecretAnnotations.SecretRevision(now, secret.Name, [secret.Key])})";
        return StepOutcome.Ok($"restored {secret.Key} from revision {revision} of Secret {secret.SecretName} as revision {restored.Revision}{own}{role}{copies}");
    }

    private static Task DeleteJobAsync(IClusterGateway cluster, StackSpec stack, RotatableSecret secret, string writer, CancellationToken cancellationToken) =>
        secret.Method == RotationMethod.InClusterDatabasePassword
            ? InClusterPasswordJobs.DeleteAsync(cluster, stack, secret, InClusterPasswordJobs.Restore, writer, cancellationToken)
            : Task.CompletedTask;
}

/// <summary>Waits until the components the operation re-applied are healthy on the new revision and, for a database password, checks
/// that the new password logs in and the previous one is refused. When they do not get healthy (the last attempt, or the deadline),
/// it puts the previous revision back live (and the previous password on the role), re-applies them, and fails saying so.</summary>
internal sealed class VerifySecretHandler(SecretRotationSteps steps) : IStepHandler
{
    public StepKind Kind => StepKind.VerifySecret;

    public async Task<StepOutcome> RunAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        var (secret, failure) = steps.SecretOf(execution);
        if (secret is null)
        {
            return failure!;
        }

        var stack = execution.Target;
        var cluster = steps.Cluster(execution);
        var writer = SecretRotationSteps.Writer(execution);
        // Every consumer the operation re-applies, in the plan's order (the owner first), and the ones this step waits for: all of
        // them, or the one it names (the owner that must be healthy before the others restart).
        var reapplied = execution.Operation.Steps.Where(s => s.Kind == StepKind.ApplyComponent && s.Component is not null)
            .OrderBy(s => s.Order).Select(s => s.Component!).ToList();
        var consumers = execution.Step.Component is { } only ? [only] : reapplied;
        var live = await SecretRevisions.ReadAsync(cluster, stack.Namespace, secret.SecretName, cancellationToken).ConfigureAwait(false);
        if (SecretRevisions.Annotation(live, SecretRevisions.RolledBackByAnnotation) == writer)
        {
            // Rolled back by an earlier run of this step: finish putting back (copies, the password, the consumers in order), and say
            // what happened.
            var reason = SecretRevisions.Annotation(live, SecretRevisions.RollbackReasonAnnotation) ?? $"{secret.Id} was rolled back";
            return await FinishRollbackAsync(cluster, stack, secret, reapplied, writer, reason, LastChance(execution), cancellationToken).ConfigureAwait(false);
        }

        if (live is null || SecretRevisions.WrittenBy(live) != writer)
        {
            return StepOutcome.Fail($"Secret {secret.SecretName} was changed by someone else after this operation stored its revision; nothing was put back", permanent: true);
        }

        var revision = ManagedSecrets.RevisionOf(live);

        // A roll-back that runs a Job or waits for the owner's health needs time after it starts: it starts with a third of the
        // step's time (and one attempt) left.
        var lastChance = LastChance(execution, reserve: secret.Method == RotationMethod.InClusterDatabasePassword || secret.First is not null);
        string? waiting = null;
        foreach (var consumer in consumers)
        {
            switch (await steps.Health.CheckAsync(stack, consumer, cancellationToken).ConfigureAwait(false))
            {
                case StepOutcome.Failed degraded:
                    var why = $"{consumer} did not become healthy on revision {revision} of Secret {secret.SecretName}: {degraded.Error}";
                    return lastChance ? await RollBackAsync(cluster, stack, secret, live, reapplied, writer, why, LastChance(execution), cancellationToken).ConfigureAwait(false) : StepOutcome.Fail(why);
                case StepOutcome.NotReady notReady:
                    waiting ??= $"{consumer}: {notReady.WaitingFor}";
                    break;
            }
        }

        if (waiting is not null)
        {
            return lastChance
                ? await RollBackAsync(cluster, stack, secret, live, reapplied, writer, $"the consumers of Secret {secret.SecretName} did not become healthy on revision {revision} in time ({waiting})", LastChance(execution), cancellationToken).ConfigureAwait(false)
                : StepOutcome.Wait($"waiting for {waiting}");
        }

        var healthy = consumers.Count == 0 ? $"Secret {secret.SecretName} is at revision {revision}" : $"{string.Join(", ", consumers)} healthy on revision {revision} of Secret {secret.SecretName}";
        if (secret.Method != RotationMethod.DatabasePassword)
        {
            return StepOutcome.Ok(healthy);
        }

        var (problem, transient) = await CheckLoginsAsync(cluster, stack, secret, live, revision, cancellationToken).ConfigureAwait(false);
        if (problem is null)
        {
            return StepOutcome.Ok($"{healthy}; the new password of role {secret.Role(stack)} logs in and the previous one is refused");
        }

        return transient && !lastChance
            ? StepOutcome.Fail(problem)
            : await RollBackAsync(cluster, stack, secret, live, reapplied, writer, problem, LastChance(execution), cancellationToken).ConfigureAwait(false);
    }

    private bool LastChance(StepExecution execution, bool reserve = false)
    {
        var step = execution.Step;
        var now = steps.Tools.Time.GetUtcNow();
        var room = reserve ? steps.Policy.DeadlineFor(Kind) / 3 : TimeSpan.Zero;
        return step.FailedAttempts + 1 + (reserve ? 1 : 0) >= steps.Policy.MaxAttemptsFor(Kind)
            || (step.Deadline is { } deadline && now + steps.Policy.PollAfter(step.Runs) + steps.Policy.PollInterval + room >= deadline);
    }

    private async Task<(string? Problem, bool Transient)> CheckLoginsAsync(
        IClusterGateway cluster, StackSpec stack, RotatableSecret secret, V1Secret live, int revision, CancellationToken cancellationToken)
    {
        var admin = await PostgresqlClientWiring.AdminLoginAsync(steps.Tools, cluster, stack, secret.Owner, cancellationToken).ConfigureAwait(false);
        if (!admin.IsSuccess)
        {
            return (admin.Error, false);
        }

        var server = admin.Login!.Server;
        var role = secret.Role(stack);
        var database = secret.Database(stack);
        var current = await steps.Databases.VerifyLoginAsync(server, database, role, ManagedSecrets.Value(live, secret.Key) ?? "", cancellationToken).ConfigureAwait(false);
        if (!current.Succeeded)
        {
            return ($"the new password of role {role} does not log in to {database}: {current.Message}", current.Failure is DatabaseFailure.Unreachable or DatabaseFailure.Timeout);
        }

        var kept = await SecretRevisions.ReadAsync(cluster, stack.Namespace, ObjectNames.SecretRevision(secret.SecretName, revision - 1), cancellationToken).ConfigureAwait(false);
        if (ManagedSecrets.Value(kept, secret.Key) is { Length: > 0 } previous && previous != ManagedSecrets.Value(live, secret.Key))
        {
            var old = await steps.Databases.VerifyLoginAsync(server, database, role, previous, cancellationToken).ConfigureAwait(false);
            if (old.Succeeded)
            {
                return ($"the previous password of role {role} still logs in to {database}", false);
            }

            if (old.Failure is not DatabaseFailure.AuthenticationFailed)
            {
                return ($"could not check that the previous password of role {role} is refused: {old.Message}", old.Failure is DatabaseFailure.Unreachable or DatabaseFailure.Timeout);
            }
        }

        return (null, false);
    }

    private async Task<StepOutcome> RollBackAsync(
        IClusterGateway cluster, StackSpec stack, RotatableSecret secret, V1Secret live, List<string> consumers, string writer, string why, bool lastChance,
        CancellationToken cancellationToken)
    {
        var revision = ManagedSecrets.RevisionOf(live);
        var previous = revision - 1;
        var kept = await SecretRevisions.ReadAsync(cluster, stack.Namespace, ObjectNames.SecretRevision(secret.SecretName, previous), cancellationToken).ConfigureAwait(false);
        if (ManagedSecrets.Value(kept, secret.Key) is not { Length: > 0 } value)
        {
            return StepOutcome.Fail($"{why}; revision {previous} of Secret {secret.SecretName} is no longer kept, so nothing was put back", permanent: true);
        }

        var role = "";
        if (secret.Method == RotationMethod.DatabasePassword)
        {
            var (problem, transient) = await steps.SetPasswordAsync(cluster, stack, secret, value, cancellationToken).ConfigureAwait(false);
            if (problem is not null)
            {
                // Without its previous password the role would lock out the revision put back: try again rather than half roll back.
                return StepOutcome.Fail($"{why}; rolling back, the previous password could not be set on role {secret.Role(stack)}: {problem}", permanent: !transient);
            }

            role = $" and role {secret.Role(stack)} has its previous password again";
        }
        else if (secret.Method == RotationMethod.InClusterDatabasePassword)
        {
            if (secret.Relation is null)
            {
                // The superuser logs in with the password it has now, the one being dropped: it waits next to the Secret for the Job.
                await SecretRevisions.PendingAsync(
                    cluster, stack.Namespace, secret.PendingName, secret.Key, writer, SecretRevisions.LabelsOf(live), () => ManagedSecrets.Value(live, secret.Key) ?? "",
                    cancellationToken).ConfigureAwait(false);
            }

            role = $" and a Job set the previous password on role {secret.Role(stack)} again";
        }

        var copies = secret.Copies.Count == 0 ? "" : $" (and in {string.Join(", ", secret.Copies.Select(c => c.SecretName))})";
        var again = consumers.Count == 0 ? "" : $"; {string.Join(", ", consumers)} re-applied on it{(secret.First is { } first && consumers.Count > 1 ? $", {first} first" : "")}";
        var message = $"{why}; rolled back: revision {previous} of Secret {secret.SecretName} is live again{copies}{role}{again}";
        var put = await SecretRevisions.PutBackAsync(cluster, stack.Namespace, secret.SecretName, writer, message, cancellationToken).ConfigureAwait(false);
        if (put is null)
        {
            return StepOutcome.Fail($"{why}; Secret {secret.SecretName} was changed by someone else meanwhile, so nothing was put back", permanent: true);
        }

        return await FinishRollbackAsync(cluster, stack, secret, consumers, writer, message, lastChance, cancellationToken).ConfigureAwait(false);
    }

    // The rest of a roll-back once the owner's Secret is put back (again on a later run: every part is idempotent): the copies go
    // back to their previous revision, an in-cluster role gets the password put back (a Job), and the consumers are re-applied in the
    // plan's order, the owner first and healthy before the others (unless time is up). Ends failed with the roll-back's message.
    private async Task<StepOutcome> FinishRollbackAsync(
        IClusterGateway cluster, StackSpec stack, RotatableSecret secret, List<string> consumers, string writer, string message, bool lastChance,
        CancellationToken cancellationToken)
    {
        foreach (var copy in secret.Copies)
        {
            await SecretRevisions.PutBackAsync(cluster, stack.Namespace, copy.SecretName, writer, message, cancellationToken).ConfigureAwait(false);
        }

        var unfinished = "";
        if (secret.Method == RotationMethod.InClusterDatabasePassword)
        {
            var login = secret.Relation is null ? new SecretKeySource(secret.PendingName, secret.Key) : InClusterPasswordJobs.SuperuserLogin(secret);
            var set = await steps.Passwords.SetAsync(
                cluster, stack, secret, InClusterPasswordJobs.Rollback, writer, new(secret.SecretName, secret.Key), login, cancellationToken).ConfigureAwait(false);
            switch (set)
            {
                case StepOutcome.NotReady waiting when !lastChance:
                    return StepOutcome.Wait($"rolling back: {waiting.WaitingFor}");
                case StepOutcome.Failed failed when !lastChance:
                    return StepOutcome.Fail($"rolling back, the previous password could not be set on role {secret.Role(stack)} yet: {failed.Error}");
                case StepOutcome.NotReady waiting:
                    unfinished = $"; but the Job that sets the previous password on role {secret.Role(stack)} had not finished in time ({waiting.WaitingFor}): check it";
                    break;
                case StepOutcome.Failed failed:
                    unfinished = $"; but the previous password could not be set on role {secret.Role(stack)}: {failed.Error}";
                    break;
                default:
                    await cluster.DeleteAsync("v1", "Secret", stack.Namespace, secret.PendingName, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }

        var first = secret.First is { } owner && consumers.Contains(owner) ? owner : null;
        if (first is not null)
        {
            await steps.ReapplyWorkloadsAsync(cluster, stack, first, cancellationToken).ConfigureAwait(false);
            if (consumers.Count > 1 && !lastChance
                && await steps.Health.CheckAsync(stack, first, cancellationToken).ConfigureAwait(false) is StepOutcome.NotReady notReady)
            {
                return StepOutcome.Wait($"rolling back: waiting for {first} to be healthy on the revision put back before {string.Join(", ", consumers.Where(c => c != first))} restart ({notReady.WaitingFor})");
            }
        }

        foreach (var consumer in consumers.Where(c => c != first))
        {
            await steps.ReapplyWorkloadsAsync(cluster, stack, consumer, cancellationToken).ConfigureAwait(false);
        }

        return StepOutcome.Fail(message + unfinished, permanent: true);
    }
}
