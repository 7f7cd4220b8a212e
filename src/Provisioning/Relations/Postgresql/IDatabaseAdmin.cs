using Portal.Domain.Common;

namespace Portal.Provisioning.Relations.Postgresql;

/// <summary>Administers an external PostgreSQL server for the <c>postgresql_client</c> relations of a stack: one login
/// role per relation, owner of its own database, no superuser, no CREATEDB, no CREATEROLE.</summary>
/// <remarks>
/// <para>Every write is idempotent and safe to run concurrently from several portal replicas: calls for the same role or
/// database are serialised by session advisory locks in the admin's maintenance database, and "already exists" is read
/// as "verify it is ours".</para>
/// <para>Infrastructure faults throw <see cref="DatabaseAdminException"/>; conflicts an operator must resolve (a database
/// owned by someone else, a role with more powers than a relation role) come back as a failed <see cref="Result{T}"/>
/// and leave the server unchanged. No message ever contains a password.</para>
/// </remarks>
public interface IDatabaseAdmin
{
    /// <summary>Can the admin log in, and may it create databases and roles? Never throws for a server-side problem:
    /// the answer says what is wrong ("cannot log in as portal_admin on db.example.com:5432: password authentication failed").</summary>
    Task<AdminLoginCheck> TestAdminLoginAsync(PostgresAdminLogin admin, CancellationToken cancellationToken);

    /// <summary>Makes sure <paramref name="role"/> exists as a plain login role and owns <paramref name="database"/>, that
    /// only it (and the admin) may connect, and that it can create tables in the database's <c>public</c> schema.</summary>
    /// <param name="password">The relation's password, already stored in the relation Secret.</param>
    /// <param name="existingRole">Whether an existing role keeps its password or gets <paramref name="password"/>;
    /// a new role always gets <paramref name="password"/>.</param>
    /// <returns>What changed (nothing on a repeated call), or the conflicts that stopped it before anything changed.</returns>
    Task<Result<DatabaseChanges>> EnsureDatabaseAsync(
        PostgresAdminLogin admin,
        string database,
        string role,
        string password,
        ExistingRolePassword existingRole,
        CancellationToken cancellationToken);

    /// <summary>Can <paramref name="role"/> log in to <paramref name="database"/> with <paramref name="password"/>, the way
    /// the relation's workloads will? Never throws for a server-side problem.</summary>
    Task<LoginCheck> VerifyLoginAsync(PostgresServer server, string database, string role, string password, CancellationToken cancellationToken);

    /// <summary>Gives a relation role a new password (secret rotation); sessions already open stay open.</summary>
    /// <returns>A failure when the role does not exist or is not a plain login role the portal would manage.</returns>
    Task<Result<DatabaseChanges>> RotatePasswordAsync(PostgresAdminLogin admin, string role, string newPassword, CancellationToken cancellationToken);

    /// <summary>Teardown: ends the sessions on <paramref name="database"/> and drops it, if it is owned by
    /// <paramref name="owner"/>. A missing database is success; one owned by someone else is refused.</summary>
    Task<Result<DatabaseChanges>> DropDatabaseAsync(PostgresAdminLogin admin, string database, string owner, CancellationToken cancellationToken);

    /// <summary>Teardown: ends the sessions of <paramref name="role"/> and drops it. A missing role is success; a role that
    /// still owns a database, or is not a plain login role, is refused.</summary>
    Task<Result<DatabaseChanges>> DropRoleAsync(PostgresAdminLogin admin, string role, CancellationToken cancellationToken);
}
