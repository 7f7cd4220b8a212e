using Portal.Domain.Catalog;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Naming;
using Portal.Domain.Stacks;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Infrastructure;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Relations.Postgresql;
using Portal.Provisioning.Rendering;
using Portal.Provisioning.Rendering.Kinds;
using Portal.Provisioning.Secrets;

namespace Portal.Provisioning.Steps.Relations;

/// <summary>The admin login of an external server, or why it cannot be built (never with the password).</summary>
internal sealed record AdminLoginResult(PostgresAdminLogin? Login, string? Error)
{
    public bool IsSuccess => Login is not null;
}

/// <summary><c>postgresql_client</c>: a login role and a database per relation on the external server, with a password
/// generated once and kept in the relation Secret the requirer reads.</summary>
/// <remarks>The password is written to the Secret before the role gets it, so a crash in between loses nothing: the retry
/// reads it back and keeps the role's password (checking that it logs in, and setting it if it does not).</remarks>
internal sealed class PostgresqlClientWiring(StepTools tools, IDatabaseAdmin databases) : IRelationWiring
{
    public string Interface => Interfaces.PostgresqlClient;

    /// <summary>The admin login from the component's effective options and the admin password in its Secret.</summary>
    public static async Task<AdminLoginResult> AdminLoginAsync(
        StepTools tools, IClusterGateway cluster, StackSpec stack, string component, CancellationToken cancellationToken)
    {
        var spec = stack.Component(component);
        var options = new Dictionary<string, string>(spec.Effective(tools.KindOf(stack, component)), StringComparer.Ordinal);
        var secretName = ObjectNames.ComponentSecret(component);
        var secret = await cluster.ReadAsync<k8s.Models.V1Secret>("v1", "Secret", stack.Namespace, secretName, cancellationToken).ConfigureAwait(false);
        if (ManagedSecrets.Value(secret, PostgresqlRenderer.AdminPasswordKey) is not { Length: > 0 } password)
        {
            return new(null, $"the admin password of {component} is not in Secret {stack.Namespace}/{secretName}: give it again in the stack's config");
        }

        options[PostgresqlRenderer.AdminPasswordKey] = password;
        var login = PostgresAdminLogin.FromOptions(options);
        return login.IsSuccess
            ? new(login.Value, null)
            : new(null, $"the {component} options cannot reach the server: {string.Join("; ", login.Errors)}");
    }

    public async Task<StepOutcome> ProvisionAsync(RelationWork work, CancellationToken cancellationToken)
    {
        var kind = tools.KindOf(work.Stack, work.Provider);
        if (work.Stack.Component(work.Provider).Get(kind, "mode") != PostgresqlKind.External)
        {
            return await InClusterAsync(work, cancellationToken).ConfigureAwait(false);
        }

        var admin = await AdminLoginAsync(tools, work.Cluster, work.Stack, work.Provider, cancellationToken).ConfigureAwait(false);
        if (!admin.IsSuccess)
        {
            return StepOutcome.Fail(admin.Error!, permanent: true);
        }

        var login = admin.Login!;
        var database = ObjectNames.Database(work.Stack.Name, work.Relation);
        var role = ObjectNames.DatabaseRole(work.Stack.Name, work.Relation);
        var name = ObjectNames.RelationSecret(work.Relation);
        var before = await work.Cluster.ReadAsync<k8s.Models.V1Secret>("v1", "Secret", work.Namespace, name, cancellationToken).ConfigureAwait(false);
        var hadPassword = ManagedSecrets.Value(before, RelationData.Password) is { Length: > 0 };

        var data = PostgresRelationData.For(login.Server, database, role, "");
        var recipe = new SecretRecipe(
            work.Namespace, name, StepTools.RelationLabels(work.Stack, work.Relation),
            data.Where(p => p.Key != RelationData.Password).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
            new Dictionary<string, Func<string>>(StringComparer.Ordinal) { [RelationData.Password] = () => PasswordGenerator.Generate() });
        var secret = await ManagedSecrets.EnsureAsync(work.Cluster, recipe, cancellationToken).ConfigureAwait(false);
        var password = ManagedSecrets.Value(secret, RelationData.Password)!;

        try
        {
            var ensured = await databases.EnsureDatabaseAsync(
                login, database, role, password, hadPassword ? ExistingRolePassword.Keep : ExistingRolePassword.Reset, cancellationToken).ConfigureAwait(false);
            if (!ensured.IsSuccess)
            {
                return StepOutcome.Fail(string.Join("; ", ensured.Errors), permanent: true);
            }

            var check = await databases.VerifyLoginAsync(login.Server, database, role, password, cancellationToken).ConfigureAwait(false);
            if (!check.Succeeded && check.Failure == DatabaseFailure.AuthenticationFailed)
            {
                // The role kept a password the Secret does not hold (the Secret was lost and written again): give it ours.
                ensured = await databases.EnsureDatabaseAsync(login, database, role, password, ExistingRolePassword.Reset, cancellationToken).ConfigureAwait(false);
                if (!ensured.IsSuccess)
                {
                    return StepOutcome.Fail(string.Join("; ", ensured.Errors), permanent: true);
                }

                check = await databases.VerifyLoginAsync(login.Server, database, role, password, cancellationToken).ConfigureAwait(false);
            }

            if (!check.Succeeded)
            {
                return StepOutcome.Fail($"{role} cannot log in to {database}: {check.Message}",
                    permanent: check.Failure is not (DatabaseFailure.Unreachable or DatabaseFailure.Timeout));
            }

            return StepOutcome.Ok($"database {database} and role {role} ready on {login.Server} ({ensured.Value})");
        }
        catch (DatabaseAdminException e)
        {
            return StepOutcome.Fail(e.Message, permanent: !e.IsTransient);
        }
    }

    // In-cluster: the portal cannot reach the server from outside the cluster, so a Job in the namespace runs psql as the
    // superuser. The role's password comes from the relation Secret (secretKeyRef, read with \getenv, never an argument).
    private async Task<StepOutcome> InClusterAsync(RelationWork work, CancellationToken cancellationToken)
    {
        var database = ObjectNames.Database(work.Stack.Name, work.Relation);
        var role = ObjectNames.DatabaseRole(work.Stack.Name, work.Relation);
        var host = $"{ObjectNames.Workload(work.Provider, "")}.{work.Namespace}.svc";
        var secretName = ObjectNames.RelationSecret(work.Relation);
        await ManagedSecrets.EnsureAsync(work.Cluster, new SecretRecipe(
            work.Namespace, secretName, StepTools.RelationLabels(work.Stack, work.Relation),
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [RelationData.Host] = host,
                [RelationData.Port] = "5432",
                [RelationData.Database] = database,
                [RelationData.Username] = role,
                [RelationData.SslMode] = PostgresServer.SslModeNameOf(PostgresSslMode.Disable),
            },
            new Dictionary<string, Func<string>>(StringComparer.Ordinal) { [RelationData.Password] = () => PasswordGenerator.Generate() }),
            cancellationToken).ConfigureAwait(false);

        var context = tools.Renderer.ContextFor(work.Stack, work.Provider);
        var workload = context.Kind.Workloads.Single(w => w.Type == WorkloadType.Job);
        var env = new Env()
            .Value("PGHOST", host)
            .Value("PGPORT", "5432")
            .Value("PGUSER", "postgres")
            .Value("PGDATABASE", "postgres")
            .Secret("PGPASSWORD", ObjectNames.ComponentSecret(work.Provider), PostgresqlRenderer.SuperuserPasswordKey)
            .Value("ROLE_NAME", role)
            .Value("DATABASE_NAME", database)
            .Secret("ROLE_PASSWORD", secretName, RelationData.Password);
        const string Script = """
            set -eu
            psql -v ON_ERROR_STOP=1 <<'SQL'
            \getenv role ROLE_NAME
            \getenv db DATABASE_NAME
            \getenv password ROLE_PASSWORD
            SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role')\gexec
            ALTER ROLE :"role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
            SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')\gexec
            REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
            GRANT ALL ON DATABASE :"db" TO :"role";
            SQL
            """;
        var template = WorkloadFactory.PodTemplate(context, workload, _ => new ContainerSetup(env) { Command = ["sh", "-c", Script] });
        var job = WorkloadFactory.Job(context, ObjectNames.RelationJob(work.Relation, "database"), workload, template);
        StackRenderer.Stamp(job, work.Stack, work.Provider);
        job.Metadata.Labels[PortalLabels.Relation] = work.Relation.LabelValue;
        return await JobRunner.RunAsync(work.Cluster, job, $"create the database {database} and role {role}", cancellationToken).ConfigureAwait(false);
    }

    public async Task<string?> RemoveExternalAsync(RelationWork work, CancellationToken cancellationToken)
    {
        var kind = tools.KindOf(work.Stack, work.Provider);
        if (work.Stack.Component(work.Provider).Get(kind, "mode") != PostgresqlKind.External)
        {
            return null;
        }

        var admin = await AdminLoginAsync(tools, work.Cluster, work.Stack, work.Provider, cancellationToken).ConfigureAwait(false);
        if (!admin.IsSuccess)
        {
            throw new ClusterException($"cannot drop the database of {work.Relation.Key}: {admin.Error}", null, transient: false);
        }

        var database = ObjectNames.Database(work.Stack.Name, work.Relation);
        var role = ObjectNames.DatabaseRole(work.Stack.Name, work.Relation);
        try
        {
            var dropped = await databases.DropDatabaseAsync(admin.Login!, database, role, cancellationToken).ConfigureAwait(false);
            var droppedRole = dropped.IsSuccess ? await databases.DropRoleAsync(admin.Login!, role, cancellationToken).ConfigureAwait(false) : dropped;
            if (!droppedRole.IsSuccess)
            {
                throw new ClusterException($"cannot drop {database}: {string.Join("; ", droppedRole.Errors)}", null, transient: false);
            }

            return $"dropped database {database} and role {role}";
        }
        catch (DatabaseAdminException e)
        {
            throw new ClusterException(e.Message, null, e.IsTransient, e);
        }
    }
}
