using k8s.Models;
using Portal.Domain.Naming;
using Portal.Domain.Stacks;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Rendering;
using Portal.Provisioning.Rendering.Kinds;
using Portal.Provisioning.Steps;

namespace Portal.Provisioning.Secrets.Rotation;

/// <summary>A key of a Secret a Job reads a password from (a <c>secretKeyRef</c>; the password is never in the Job's spec).</summary>
internal sealed record SecretKeySource(string SecretName, string Key);

/// <summary>Sets the password of a role on the in-cluster PostgreSQL server with a Job, as the relation provisioning creates roles:
/// psql in the namespace, logged in as the superuser, runs <c>ALTER ROLE … PASSWORD</c> with the password read from a Secret
/// (<c>secretKeyRef</c>, read with <c>\getenv</c>, never an argument). One Job per operation and purpose, so a redelivered step
/// finds its Job and waits for it rather than starting a second one.</summary>
/// <remarks>For the superuser's own password the Job logs in with the password the role has now and, when that is refused, with
/// the one it sets (a Job that ran before a crash already set it), so running it again changes nothing.</remarks>
internal sealed class InClusterPasswordJobs(StepTools tools)
{
    /// <summary>The superuser of the in-cluster server (the official image's).</summary>
    public const string Superuser = "postgres";

    /// <summary>What a rotation Job does: set the new value, restore a kept revision, or put the previous one back.</summary>
    public const string Rotate = "rotate";

    public const string Restore = "restore";

    public const string Rollback = "rollback";

    /// <summary>How long a finished Job stays (the roll-back's, which is the record that the previous password was set again).</summary>
    private const int KeepFinishedSeconds = 24 * 60 * 60;

    /// <summary>The Job's name: <c>&lt;secret&gt;-&lt;purpose&gt;-&lt;operation&gt;</c>, at most 63 characters.</summary>
    public static string JobName(RotatableSecret secret, string purpose, string operation)
    {
        var suffix = $"-{purpose}-{operation.Replace("-", "", StringComparison.Ordinal)[..8]}";
        var head = secret.SecretName.Length + suffix.Length > 63 ? secret.SecretName[..(63 - suffix.Length)].TrimEnd('-') : secret.SecretName;
        return head + suffix;
    }

    /// <summary>The superuser password the Jobs log in with: the live one in the server's Secret.</summary>
    public static SecretKeySource SuperuserLogin(RotatableSecret secret) =>
        new(ObjectNames.ComponentSecret(secret.Owner), PostgresqlRenderer.SuperuserPasswordKey);

    /// <summary>Runs (or finds) the Job that gives the role of <paramref name="secret"/> the password in <paramref name="password"/>,
    /// logging in as the superuser with <paramref name="login"/>: Done when it completed, NotReady while it runs, Failed with the
    /// Job's reason.</summary>
    public Task<StepOutcome> SetAsync(
        IClusterGateway cluster, StackSpec stack, RotatableSecret secret, string purpose, string operation, SecretKeySource password, SecretKeySource login,
        CancellationToken cancellationToken)
    {
        var job = Job(stack, secret, JobName(secret, purpose, operation), password, login);
        return JobRunner.RunAsync(cluster, job, $"set the password of role {secret.Role(stack)}", cancellationToken);
    }

    /// <summary>Deletes the operation's Job once what it did is recorded in the Secret.</summary>
    public static Task DeleteAsync(IClusterGateway cluster, StackSpec stack, RotatableSecret secret, string purpose, string operation, CancellationToken cancellationToken) =>
        cluster.DeleteAsync("batch/v1", "Job", stack.Namespace, JobName(secret, purpose, operation), cancellationToken);

    private V1Job Job(StackSpec stack, RotatableSecret secret, string name, SecretKeySource password, SecretKeySource login)
    {
        var context = tools.Renderer.ContextFor(stack, secret.Owner);
        var workload = context.Kind.Workloads.Single(w => w.Type == Domain.Catalog.WorkloadType.Job);
        var role = secret.Role(stack);
        var env = new Env()
            .Value("PGHOST", $"{ObjectNames.Workload(secret.Owner, "")}.{stack.Namespace}.svc")
            .Value("PGPORT", "5432")
            .Value("PGUSER", Superuser)
            .Value("PGDATABASE", "postgres")
            .Secret("PGPASSWORD", login.SecretName, login.Key)
            .Value("ROLE_NAME", role)
            .Secret("ROLE_PASSWORD", password.SecretName, password.Key)
            .Value("LOGIN_WITH_NEW", role == Superuser ? "true" : "false");
        const string Script = """
            set -eu
            if [ "$LOGIN_WITH_NEW" = "true" ] && ! psql -w -v ON_ERROR_STOP=1 -c 'SELECT 1' >/dev/null 2>&1; then
              export PGPASSWORD="$ROLE_PASSWORD"
            fi
            psql -w -v ON_ERROR_STOP=1 <<'SQL'
            \getenv role ROLE_NAME
            \getenv password ROLE_PASSWORD
            ALTER ROLE :"role" WITH PASSWORD :'password';
            SQL
            """;
        var template = WorkloadFactory.PodTemplate(context, workload, _ => new ContainerSetup(env) { Command = ["sh", "-c", Script] });
        var job = WorkloadFactory.Job(context, name, workload, template);
        job.Spec.TtlSecondsAfterFinished = KeepFinishedSeconds;
        StackRenderer.Stamp(job, stack, secret.Owner);
        if (secret.Relation is not null)
        {
            job.Metadata.Labels[PortalLabels.Relation] = secret.Relation.LabelValue;
        }

        return job;
    }
}
