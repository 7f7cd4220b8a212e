using Microsoft.Extensions.Logging;

namespace Portal.Provisioning.Relations.Postgresql;

/// <summary>Log messages of the external PostgreSQL administration. Names and servers only: never a password,
/// a verifier or a connection string.</summary>
internal static partial class PostgresqlLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Admin {Admin} on {Server} can log in (PostgreSQL {Version}); ready: {Ready}")]
    public static partial void AdminLoginChecked(this ILogger logger, string admin, PostgresServer server, string version, bool ready);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Cannot {Action} on {Server} as {Admin}: {Failure}, {Reason}")]
    public static partial void OperationFailed(this ILogger logger, string action, PostgresServer server, string admin, DatabaseFailure failure, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Created login role {Role} on {Server}")]
    public static partial void RoleCreated(this ILogger logger, string role, PostgresServer server);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Set the password of role {Role} on {Server}")]
    public static partial void PasswordSet(this ILogger logger, string role, PostgresServer server);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "Created database {Database} owned by {Role} on {Server}")]
    public static partial void DatabaseCreated(this ILogger logger, string database, string role, PostgresServer server);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Information, Message = "{Change} on {Server}")]
    public static partial void Changed(this ILogger logger, string change, PostgresServer server);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Warning, Message = "Refused to provision {Database}/{Role} on {Server}: {Conflicts}")]
    public static partial void ProvisioningRefused(this ILogger logger, string database, string role, PostgresServer server, IEnumerable<string> conflicts);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Debug, Message = "{Database}/{Role} on {Server} already as asked")]
    public static partial void NothingToChange(this ILogger logger, string database, string role, PostgresServer server);

    [LoggerMessage(EventId = 4108, Level = LogLevel.Information, Message = "Another session created {Kind} {Name} on {Server} at the same moment; verifying it instead")]
    public static partial void CreatedConcurrently(this ILogger logger, string kind, string name, PostgresServer server);

    [LoggerMessage(EventId = 4109, Level = LogLevel.Information, Message = "Dropped {Kind} {Name} on {Server}")]
    public static partial void Dropped(this ILogger logger, string kind, string name, PostgresServer server);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Warning, Message = "Refused to {Action} on {Server}: {Reason}")]
    public static partial void Refused(this ILogger logger, string action, PostgresServer server, string reason);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Information, Message = "Login check of {Role} to {Database} on {Server}: {Succeeded} ({Failure})")]
    public static partial void LoginChecked(this ILogger logger, string role, string database, PostgresServer server, bool succeeded, DatabaseFailure failure);
}
