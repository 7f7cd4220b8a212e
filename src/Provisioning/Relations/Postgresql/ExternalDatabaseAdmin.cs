using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Domain.Common;

namespace Portal.Provisioning.Relations.Postgresql;

/// <summary>Creates and verifies relation databases and roles on an external PostgreSQL server through an admin role
/// that has only CREATEDB and CREATEROLE (a superuser works too).</summary>
/// <remarks>
/// <para>What a non-superuser admin must do, and why (PostgreSQL 15 rules, which 16+ only relax):</para>
/// <list type="bullet">
/// <item>It must be a member of a role to create a database owned by it or drop its database, so it grants itself each
/// relation role (<c>GRANT role TO CURRENT_USER</c>) and keeps that membership; it never gains more than the role has.</item>
/// <item>On 15, the <c>public</c> schema belongs to <c>pg_database_owner</c>, whose powers a NOINHERIT owner does not
/// receive, so the relation role could not create tables. The admin cannot hand the schema over (that needs acting as
/// <c>pg_database_owner</c> while being a member of the new owner); it can act as <c>pg_database_owner</c>, through
/// its membership of the database owner, and grant USAGE and CREATE on <c>public</c> to the role instead.</item>
/// </list>
/// <para>Passwords are sent as SCRAM verifiers (<see cref="ScramVerifier"/>), never as text.</para>
/// </remarks>
internal sealed class ExternalDatabaseAdmin : IDatabaseAdmin
{
    private const string PublicSchema = "public";
    private const string DatabaseOwnerRole = "pg_database_owner";

    private readonly PostgresqlAdminOptions _options;
    private readonly ILogger<ExternalDatabaseAdmin> _logger;

    public ExternalDatabaseAdmin(IOptions<PostgresqlAdminOptions> options, ILogger<ExternalDatabaseAdmin> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    public async Task<AdminLoginCheck> TestAdminLoginAsync(PostgresAdminLogin admin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admin);
        PostgresSession session;
        try
        {
            session = await OpenAsync(admin, admin.MaintenanceDatabase, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException exception)
        {
            var (failure, reason, _) = PostgresErrors.Describe(exception, _options.ConnectTimeout);
            _logger.OperationFailed("log in", admin.Server, admin.Username, failure, reason);
            return AdminLoginCheck.CannotLogIn(failure, $"cannot log in as {admin.Username} on {admin.Server}: {reason}");
        }

        await using (session.ConfigureAwait(false))
        {
            var self = await ReadRoleAsync(session, admin.Username, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The current user is missing from pg_roles.");
            var missing = new List<string>();
            if (!self.Superuser)
            {
                if (!self.CreateDb)
                {
                    missing.Add("CREATEDB");
                }

                if (!self.CreateRole)
                {
                    missing.Add("CREATEROLE");
                }

                if (!self.Inherit)
                {
                    // Without INHERIT the admin cannot act as the owner of the databases it creates for relations.
                    missing.Add("INHERIT");
                }
            }

            var check = new AdminLoginCheck(
                CanLogIn: true,
                CanCreateDatabases: self.Superuser || self.CreateDb,
                CanCreateRoles: self.Superuser || self.CreateRole,
                IsSuperuser: self.Superuser,
                ServerVersion: session.ServerVersion,
                Failure: missing.Count == 0 ? DatabaseFailure.None : DatabaseFailure.InsufficientPrivilege,
                Message: missing.Count > 0
                    ? $"{admin.Username} can log in on {admin.Server} but lacks {string.Join(" and ", missing)}; "
                      + $"a superuser can grant it with: ALTER ROLE {PostgresNames.Quote(admin.Username)} {string.Join(' ', missing)}"
                    : self.Superuser
                        ? $"{admin.Username} can log in on {admin.Server} (PostgreSQL {session.ServerVersion}) and is a superuser; "
                          + "a role with only CREATEDB and CREATEROLE would be enough"
                        : $"{admin.Username} can log in on {admin.Server} (PostgreSQL {session.ServerVersion}) and may create databases and roles");
            _logger.AdminLoginChecked(admin.Username, admin.Server, session.ServerVersion, check.IsReady);
            return check;
        }
    }

    public Task<Result<DatabaseChanges>> EnsureDatabaseAsync(
        PostgresAdminLogin admin,
        string database,
        string role,
        string password,
        ExistingRolePassword existingRole,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admin);
        PostgresNames.Require(database, nameof(database));
        PostgresNames.Require(role, nameof(role));
        RequirePassword(password, nameof(password));

        return RunAsync(admin, $"provision database {database} for role {role}", async session =>
        {
            // Roles before databases, in every method, so two locks are never taken in opposite orders.
            await LockAsync(session, "role", role, cancellationToken).ConfigureAwait(false);
            await LockAsync(session, "database", database, cancellationToken).ConfigureAwait(false);

            // Look before touching anything: a conflict must leave the server exactly as it was.
            var state = await ReadRoleAsync(session, role, cancellationToken).ConfigureAwait(false);
            var owner = await ReadDatabaseOwnerAsync(session, database, cancellationToken).ConfigureAwait(false);
            var conflicts = new ErrorList();
            if (state is not null && RoleProblems(state) is { Count: > 0 } problems)
            {
                conflicts.Add("role", NotAPlainLoginRole(role, problems));
            }

            if (owner is not null && owner != role)
            {
                conflicts.Add("database", OwnedBySomeoneElse(database, owner));
            }

            if (conflicts.Count > 0)
            {
                _logger.ProvisioningRefused(database, role, admin.Server, conflicts.Select(c => c.Message));
                return Result<DatabaseChanges>.Failure(conflicts);
            }

            var changes = new List<string>();
            var roleResult = await EnsureRoleAsync(session, admin, role, password, state is not null, existingRole, changes, cancellationToken).ConfigureAwait(false);
            if (roleResult is not null)
            {
                return Result<DatabaseChanges>.Failure("role", roleResult);
            }

            await EnsureMembershipAsync(session, admin, role, changes, cancellationToken).ConfigureAwait(false);
            if (owner is null)
            {
                var conflict = await CreateDatabaseAsync(session, admin, database, role, changes, cancellationToken).ConfigureAwait(false);
                if (conflict is not null)
                {
                    return Result<DatabaseChanges>.Failure("database", conflict);
                }
            }

            await RestrictConnectAsync(session, admin, database, role, changes, cancellationToken).ConfigureAwait(false);
            await EnsurePublicSchemaAsync(admin, database, role, changes, cancellationToken).ConfigureAwait(false);

            if (changes.Count == 0)
            {
                _logger.NothingToChange(database, role, admin.Server);
            }

            return Result<DatabaseChanges>.Success(new DatabaseChanges(changes));
        }, cancellationToken);
    }

    public async Task<LoginCheck> VerifyLoginAsync(PostgresServer server, string database, string role, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        PostgresNames.Require(database, nameof(database));
        PostgresNames.Require(role, nameof(role));
        RequirePassword(password, nameof(password));
        try
        {
            var session = await PostgresSession.OpenAsync(server, database, role, password, _options, cancellationToken).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                await session.ExecuteAsync("SELECT 1", cancellationToken).ConfigureAwait(false);
            }

            _logger.LoginChecked(role, database, server, true, DatabaseFailure.None);
            return LoginCheck.Success($"{role} can log in to {database} on {server}");
        }
        catch (NpgsqlException exception)
        {
            var (failure, reason, _) = PostgresErrors.Describe(exception, _options.ConnectTimeout);
            _logger.LoginChecked(role, database, server, false, failure);
            return LoginCheck.Failed(failure, $"{role} cannot log in to {database} on {server}: {reason}");
        }
    }

    public Task<Result<DatabaseChanges>> RotatePasswordAsync(PostgresAdminLogin admin, string role, string newPassword, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admin);
        PostgresNames.Require(role, nameof(role));
        RequirePassword(newPassword, nameof(newPassword));

        return RunAsync(admin, $"rotate the password of role {role}", async session =>
        {
            await LockAsync(session, "role", role, cancellationToken).ConfigureAwait(false);
            var state = await ReadRoleAsync(session, role, cancellationToken).ConfigureAwait(false);
            if (state is null)
            {
                return Refuse<DatabaseChanges>(admin, "rotate a password", "role", $"role {role} does not exist");
            }

            if (RoleProblems(state) is { Count: > 0 } problems)
            {
                return Refuse<DatabaseChanges>(admin, "rotate a password", "role", NotAPlainLoginRole(role, problems));
            }

            await SetPasswordAsync(session, role, newPassword, cancellationToken).ConfigureAwait(false);
            var change = $"set a new password for role {role}";
            _logger.PasswordSet(role, admin.Server);
            return Result<DatabaseChanges>.Success(new DatabaseChanges([change]));
        }, cancellationToken);
    }

    public Task<Result<DatabaseChanges>> DropDatabaseAsync(PostgresAdminLogin admin, string database, string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admin);
        PostgresNames.Require(database, nameof(database));
        PostgresNames.Require(owner, nameof(owner));

        return RunAsync(admin, $"drop database {database}", async session =>
        {
            await LockAsync(session, "role", owner, cancellationToken).ConfigureAwait(false);
            await LockAsync(session, "database", database, cancellationToken).ConfigureAwait(false);
            var actualOwner = await ReadDatabaseOwnerAsync(session, database, cancellationToken).ConfigureAwait(false);
            if (actualOwner is null)
            {
                return Result<DatabaseChanges>.Success(DatabaseChanges.None);
            }

            if (actualOwner != owner)
            {
                return Refuse<DatabaseChanges>(admin, $"drop database {database}", "database",
                    $"database {database} is owned by someone else ({actualOwner}); the portal will not drop it");
            }

            var changes = new List<string>();
            await EnsureMembershipAsync(session, admin, owner, changes, cancellationToken).ConfigureAwait(false);
            if (session.MajorVersion >= 13)
            {
                // FORCE ends every session on the database first (allowed: the admin has the owner's privileges).
                await session.ExecuteAsync($"DROP DATABASE IF EXISTS {PostgresNames.Quote(database)} WITH (FORCE)", cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await session.ExecuteAsync(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                    [database],
                    cancellationToken).ConfigureAwait(false);
                await session.ExecuteAsync($"DROP DATABASE IF EXISTS {PostgresNames.Quote(database)}", cancellationToken).ConfigureAwait(false);
            }

            changes.Add($"dropped database {database}");
            _logger.Dropped("database", database, admin.Server);
            return Result<DatabaseChanges>.Success(new DatabaseChanges(changes));
        }, cancellationToken);
    }

    public Task<Result<DatabaseChanges>> DropRoleAsync(PostgresAdminLogin admin, string role, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admin);
        PostgresNames.Require(role, nameof(role));

        return RunAsync(admin, $"drop role {role}", async session =>
        {
            await LockAsync(session, "role", role, cancellationToken).ConfigureAwait(false);
            var state = await ReadRoleAsync(session, role, cancellationToken).ConfigureAwait(false);
            if (state is null)
            {
                return Result<DatabaseChanges>.Success(DatabaseChanges.None);
            }

            if (RoleProblems(state) is { Count: > 0 } problems)
            {
                return Refuse<DatabaseChanges>(admin, $"drop role {role}", "role", NotAPlainLoginRole(role, problems));
            }

            var owned = await session.StringsAsync(
                "SELECT d.datname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = $1 ORDER BY d.datname",
                [role],
                cancellationToken).ConfigureAwait(false);
            if (owned.Count > 0)
            {
                return Refuse<DatabaseChanges>(admin, $"drop role {role}", "role",
                    $"role {role} still owns database {string.Join(", ", owned)}; drop the database first");
            }

            var changes = new List<string>();
            await EnsureMembershipAsync(session, admin, role, changes, cancellationToken).ConfigureAwait(false);
            await session.ExecuteAsync(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()",
                [role],
                cancellationToken).ConfigureAwait(false);
            try
            {
                await session.ExecuteAsync($"DROP ROLE IF EXISTS {PostgresNames.Quote(role)}", cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.DependentObjectsStillExist)
            {
                return Refuse<DatabaseChanges>(admin, $"drop role {role}", "role",
                    $"role {role} still owns objects or holds privileges in another database; "
                    + $"run REASSIGN OWNED BY / DROP OWNED BY {PostgresNames.Quote(role)} there first");
            }

            changes.Add($"dropped role {role}");
            _logger.Dropped("role", role, admin.Server);
            return Result<DatabaseChanges>.Success(new DatabaseChanges(changes));
        }, cancellationToken);
    }

    /// <summary>Creates the role, or brings an existing plain login role in line; null on success, else the conflict.</summary>
    private async Task<string?> EnsureRoleAsync(
        PostgresSession session,
        PostgresAdminLogin admin,
        string role,
        string password,
        bool exists,
        ExistingRolePassword existingRole,
        List<string> changes,
        CancellationToken cancellationToken)
    {
        if (!exists)
        {
            try
            {
                await session.ExecuteAsync(
                    $"CREATE ROLE {PostgresNames.Quote(role)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS "
                    + $"PASSWORD {PostgresNames.Literal(ScramVerifier.Create(password))}",
                    cancellationToken).ConfigureAwait(false);
                changes.Add($"created login role {role}");
                _logger.RoleCreated(role, admin.Server);
                return null;
            }
            catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.UniqueViolation)
            {
                // Created by something that does not take the portal's advisory lock: verify it like any existing role.
                _logger.CreatedConcurrently("role", role, admin.Server);
                var state = await ReadRoleAsync(session, role, cancellationToken).ConfigureAwait(false);
                if (state is not null && RoleProblems(state) is { Count: > 0 } problems)
                {
                    return NotAPlainLoginRole(role, problems);
                }
            }
        }

        if (existingRole == ExistingRolePassword.Reset)
        {
            await SetPasswordAsync(session, role, password, cancellationToken).ConfigureAwait(false);
            changes.Add($"set the password of role {role}");
            _logger.PasswordSet(role, admin.Server);
        }

        return null;
    }

    /// <summary>The admin needs the role's privileges (membership with INHERIT) to create, administer and drop the
    /// database the role owns; a superuser already has them.</summary>
    private async Task EnsureMembershipAsync(PostgresSession session, PostgresAdminLogin admin, string role, List<string> changes, CancellationToken cancellationToken)
    {
        var hasPrivileges = await session.ScalarAsync<bool>("SELECT pg_has_role(current_user, $1, 'USAGE')", [role], cancellationToken).ConfigureAwait(false);
        if (!hasPrivileges)
        {
            await session.ExecuteAsync($"GRANT {PostgresNames.Quote(role)} TO CURRENT_USER", cancellationToken).ConfigureAwait(false);
            Record(changes, admin, $"granted role {role} to {admin.Username} so that it can administer the role's database");
        }
    }

    /// <summary>Creates the database owned by the role; null on success, else the conflict with a concurrent creator.</summary>
    private async Task<string?> CreateDatabaseAsync(
        PostgresSession session,
        PostgresAdminLogin admin,
        string database,
        string role,
        List<string> changes,
        CancellationToken cancellationToken)
    {
        try
        {
            // Alone and outside any transaction: CREATE DATABASE cannot run in a transaction block.
            await session.ExecuteAsync($"CREATE DATABASE {PostgresNames.Quote(database)} OWNER {PostgresNames.Quote(role)}", cancellationToken).ConfigureAwait(false);
            changes.Add($"created database {database} owned by {role}");
            _logger.DatabaseCreated(database, role, admin.Server);
            return null;
        }
        catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            _logger.CreatedConcurrently("database", database, admin.Server);
            var owner = await ReadDatabaseOwnerAsync(session, database, cancellationToken).ConfigureAwait(false);
            return owner == role ? null : OwnedBySomeoneElse(database, owner ?? "unknown");
        }
    }

    /// <summary>Only the owner (and whoever has its privileges, such as the admin) may connect: PUBLIC loses CONNECT.</summary>
    private async Task RestrictConnectAsync(
        PostgresSession session,
        PostgresAdminLogin admin,
        string database,
        string role,
        List<string> changes,
        CancellationToken cancellationToken)
    {
        // Read the ACL (or the default one while it is still NULL) so that a repeated call issues no GRANT or REVOKE at all.
        var publicCanConnect = await session.ScalarAsync<bool>(
            """
            SELECT EXISTS (
                SELECT 1
                FROM pg_database d, aclexplode(COALESCE(d.datacl, acldefault('d', d.datdba))) a
                WHERE d.datname = $1 AND a.grantee = 0 AND a.privilege_type = 'CONNECT')
            """,
            [database],
            cancellationToken).ConfigureAwait(false);
        if (publicCanConnect)
        {
            await session.ExecuteAsync($"REVOKE CONNECT ON DATABASE {PostgresNames.Quote(database)} FROM PUBLIC", cancellationToken).ConfigureAwait(false);
            Record(changes, admin, $"revoked CONNECT on database {database} from PUBLIC");
        }

        var roleCanConnect = await session.ScalarAsync<bool>("SELECT has_database_privilege($1, $2, 'CONNECT')", [role, database], cancellationToken)
            .ConfigureAwait(false);
        if (!roleCanConnect)
        {
            await session.ExecuteAsync($"GRANT CONNECT ON DATABASE {PostgresNames.Quote(database)} TO {PostgresNames.Quote(role)}", cancellationToken)
                .ConfigureAwait(false);
            Record(changes, admin, $"granted CONNECT on database {database} to {role}");
        }
    }

    /// <summary>Lets the role create tables in <c>public</c>, where Airbyte and Temporal put theirs (see the class remarks).</summary>
    private async Task EnsurePublicSchemaAsync(PostgresAdminLogin admin, string database, string role, List<string> changes, CancellationToken cancellationToken)
    {
        var session = await OpenAsync(admin, database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var schema = await session.RowAsync(
                """
                SELECT pg_get_userbyid(n.nspowner),
                       has_schema_privilege($1, n.oid, 'CREATE') AND has_schema_privilege($1, n.oid, 'USAGE'),
                       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                FROM pg_namespace n
                WHERE n.nspname = $2
                """,
                [role, PublicSchema],
                reader => new SchemaState(reader.GetString(0), reader.GetBoolean(1), reader.GetBoolean(2)),
                cancellationToken).ConfigureAwait(false);

            var quotedRole = PostgresNames.Quote(role);
            if (schema is null)
            {
                // Someone removed public from the template; the role creates it as its owner.
                await session.ExecuteAsync($"CREATE SCHEMA {PublicSchema} AUTHORIZATION {quotedRole}", cancellationToken).ConfigureAwait(false);
                Record(changes, admin, $"created schema public in database {database}, owned by {role}");
                return;
            }

            if (schema.RoleCanCreate)
            {
                return;
            }

            var grant = $"GRANT USAGE, CREATE ON SCHEMA {PublicSchema} TO {quotedRole}";
            if (schema.Owner == DatabaseOwnerRole && !schema.AdminIsSuperuser)
            {
                var transaction = await session.Connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    await session.ExecuteAsync($"SET LOCAL ROLE {DatabaseOwnerRole}", cancellationToken).ConfigureAwait(false);
                    await session.ExecuteAsync(grant, cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                await session.ExecuteAsync(grant, cancellationToken).ConfigureAwait(false);
            }

            Record(changes, admin, $"granted USAGE and CREATE on schema public of database {database} to {role}");
        }
    }

    private static async Task SetPasswordAsync(PostgresSession session, string role, string password, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            $"ALTER ROLE {PostgresNames.Quote(role)} WITH PASSWORD {PostgresNames.Literal(ScramVerifier.Create(password))}",
            cancellationToken).ConfigureAwait(false);

    /// <summary>Serialises portal calls on one name across replicas: a session lock in the maintenance database, released
    /// when the (unpooled) connection closes, even if the portal dies mid-way.</summary>
    private static async Task LockAsync(PostgresSession session, string kind, string name, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            "SELECT pg_advisory_lock(hashtextextended($1, 0))",
            [$"{PostgresSession.ApplicationName}/{kind}/{name}"],
            cancellationToken).ConfigureAwait(false);

    private static Task<RoleState?> ReadRoleAsync(PostgresSession session, string role, CancellationToken cancellationToken) =>
        session.RowAsync(
            "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolinherit FROM pg_roles WHERE rolname = $1",
            [role],
            reader => new RoleState(
                reader.GetBoolean(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetBoolean(3), reader.GetBoolean(4), reader.GetBoolean(5),
                reader.GetBoolean(6)),
            cancellationToken);

    private static Task<string?> ReadDatabaseOwnerAsync(PostgresSession session, string database, CancellationToken cancellationToken) =>
        session.ScalarAsync<string>("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", [database], cancellationToken);

    /// <summary>What makes an existing role more (or less) than the plain login role the portal would have created.</summary>
    private static List<string> RoleProblems(RoleState state)
    {
        var problems = new List<string>();
        if (!state.CanLogin)
        {
            problems.Add("NOLOGIN");
        }

        if (state.Superuser)
        {
            problems.Add("SUPERUSER");
        }

        if (state.CreateDb)
        {
            problems.Add("CREATEDB");
        }

        if (state.CreateRole)
        {
            problems.Add("CREATEROLE");
        }

        if (state.Replication)
        {
            problems.Add("REPLICATION");
        }

        if (state.BypassRls)
        {
            problems.Add("BYPASSRLS");
        }

        return problems;
    }

    private static string NotAPlainLoginRole(string role, List<string> problems) =>
        $"role {role} exists but is not a plain login role ({string.Join(", ", problems)}); the portal will not use it";

    private static string OwnedBySomeoneElse(string database, string owner) =>
        $"database {database} exists and is owned by someone else ({owner}); the portal will not take it over";

    private static void RequirePassword(string password, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(password, parameter);
        if (password.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A PostgreSQL password cannot contain a NUL character.", parameter);
        }
    }

    private void Record(List<string> changes, PostgresAdminLogin admin, string change)
    {
        changes.Add(change);
        _logger.Changed(change, admin.Server);
    }

    private Result<T> Refuse<T>(PostgresAdminLogin admin, string action, string path, string reason)
    {
        _logger.Refused(action, admin.Server, reason);
        return Result<T>.Failure(path, reason);
    }

    private Task<PostgresSession> OpenAsync(PostgresAdminLogin admin, string database, CancellationToken cancellationToken) =>
        PostgresSession.OpenAsync(admin.Server, database, admin.Username, admin.Password, _options, cancellationToken);

    /// <summary>Runs admin work on the maintenance database and turns driver errors into a plain
    /// <see cref="DatabaseAdminException"/>; the inner Npgsql exception is not attached because its batch can carry a
    /// password verifier.</summary>
    private async Task<T> RunAsync<T>(PostgresAdminLogin admin, string action, Func<PostgresSession, Task<T>> work, CancellationToken cancellationToken)
    {
        PostgresSession session;
        try
        {
            session = await OpenAsync(admin, admin.MaintenanceDatabase, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException exception)
        {
            throw Fail(admin, action, exception, _options.ConnectTimeout, $"cannot log in as {admin.Username} on {admin.Server}");
        }

        try
        {
            await using (session.ConfigureAwait(false))
            {
                return await work(session).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException exception)
        {
            throw Fail(admin, action, exception, _options.CommandTimeout, $"cannot {action} on {admin.Server}");
        }
    }

    private DatabaseAdminException Fail(PostgresAdminLogin admin, string action, NpgsqlException exception, TimeSpan timeout, string prefix)
    {
        var (failure, reason, sqlState) = PostgresErrors.Describe(exception, timeout);
        _logger.OperationFailed(action, admin.Server, admin.Username, failure, reason);
        return new DatabaseAdminException(failure, $"{prefix}: {reason}", sqlState);
    }

    private sealed record RoleState(bool CanLogin, bool Superuser, bool CreateDb, bool CreateRole, bool Replication, bool BypassRls, bool Inherit);

    private sealed record SchemaState(string Owner, bool RoleCanCreate, bool AdminIsSuperuser);
}
