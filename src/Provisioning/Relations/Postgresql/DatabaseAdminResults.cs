namespace Portal.Provisioning.Relations.Postgresql;

/// <summary>Why talking to PostgreSQL failed, in the terms an operator acts on.</summary>
public enum DatabaseFailure
{
    None,

    /// <summary>Nothing answered: host unknown, connection refused, network unreachable, server starting or full.</summary>
    Unreachable,

    /// <summary>No answer within the connect or command timeout.</summary>
    Timeout,

    /// <summary>The server refused the credentials (wrong password, unknown role, role without LOGIN, no pg_hba.conf entry).</summary>
    AuthenticationFailed,

    /// <summary>TLS could not be agreed: the server requires it, does not offer it, or its certificate is not trusted.</summary>
    Ssl,

    /// <summary>Logged in, but the role may not do what was asked (missing CREATEDB/CREATEROLE, no CONNECT on a database…).</summary>
    InsufficientPrivilege,

    /// <summary>The database named does not exist.</summary>
    DatabaseMissing,

    /// <summary>Any other error reported by the server.</summary>
    ServerError,
}

/// <summary>What <see cref="IDatabaseAdmin.EnsureDatabaseAsync"/> does with the password of a role that already exists.</summary>
public enum ExistingRolePassword
{
    /// <summary>Leave it: the caller read the password from the relation Secret that was written before the role was
    /// first created, so the role already has it. A retry with the same inputs then changes nothing.</summary>
    Keep,

    /// <summary>Set it to the given password: the caller has just generated one (first run, or the Secret was lost),
    /// so whatever the role had is unknown to the portal. Setting the same password again leaves logins unchanged.</summary>
    Reset,
}

/// <summary>Whether a role can log in to a database, and if not, why (never with the password).</summary>
public sealed record LoginCheck(bool Succeeded, DatabaseFailure Failure, string Message)
{
    public static LoginCheck Success(string message) => new(true, DatabaseFailure.None, message);

    public static LoginCheck Failed(DatabaseFailure failure, string message) => new(false, failure, message);
}

/// <summary>Whether the admin role of an external server can log in and create databases and roles.</summary>
/// <param name="CanLogIn">The credentials work and the maintenance database accepts the connection.</param>
/// <param name="IsSuperuser">The role is a superuser (works, though more than the portal needs).</param>
/// <param name="ServerVersion">The server's version when it could log in, e.g. <c>15.18</c>.</param>
public sealed record AdminLoginCheck(
    bool CanLogIn,
    bool CanCreateDatabases,
    bool CanCreateRoles,
    bool IsSuperuser,
    string? ServerVersion,
    DatabaseFailure Failure,
    string Message)
{
    /// <summary>The portal can provision relations with this admin.</summary>
    public bool IsReady => CanLogIn && Failure == DatabaseFailure.None;

    public static AdminLoginCheck CannotLogIn(DatabaseFailure failure, string message) =>
        new(false, false, false, false, null, failure, message);
}

/// <summary>What a provisioning call changed on the server, as sentences for the step log and the audit trail.</summary>
/// <remarks>Empty when everything was already as asked: the observable sign that a call was a no-op.</remarks>
public sealed record DatabaseChanges(IReadOnlyList<string> Changes)
{
    public static DatabaseChanges None { get; } = new([]);

    public bool Any => Changes.Count > 0;

    public override string ToString() => Any ? string.Join("; ", Changes) : "nothing to change";
}

/// <summary>An infrastructure fault while administering PostgreSQL (unreachable, timeout, refused login, missing
/// privilege). The message is plain and safe to show and log: it never holds a password or a connection string.</summary>
/// <remarks>Expected conflicts (a database owned by someone else…) are not exceptions: they come back as a failed result.</remarks>
public sealed class DatabaseAdminException : Exception
{
    public DatabaseAdminException()
    {
    }

    public DatabaseAdminException(string message)
        : base(message)
    {
    }

    public DatabaseAdminException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DatabaseAdminException(DatabaseFailure failure, string message, string? sqlState = null)
        : base(message)
    {
        Failure = failure;
        SqlState = sqlState;
    }

    public DatabaseFailure Failure { get; } = DatabaseFailure.ServerError;

    /// <summary>The SQLSTATE the server reported, when it reported one (e.g. <c>28P01</c>).</summary>
    public string? SqlState { get; }

    /// <summary>Worth retrying later without anyone acting: the server was unreachable or slow.</summary>
    public bool IsTransient => Failure is DatabaseFailure.Unreachable or DatabaseFailure.Timeout;
}
