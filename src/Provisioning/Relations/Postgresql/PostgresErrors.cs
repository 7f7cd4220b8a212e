using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;
using Npgsql;

namespace Portal.Provisioning.Relations.Postgresql;

/// <summary>Turns Npgsql and server errors into a failure kind and a short reason an operator understands.</summary>
/// <remarks>Reasons are built only from SQLSTATEs, the server's primary message text and exception types: never from
/// statement text or a connection string, so no password or verifier can leak into them.</remarks>
internal static class PostgresErrors
{
    /// <param name="timeout">The limit that applied when it failed: the connect timeout while opening, else the command timeout.</param>
    public static (DatabaseFailure Failure, string Reason, string? SqlState) Describe(NpgsqlException exception, TimeSpan timeout)
    {
        if (exception is PostgresException server)
        {
            var (failure, reason) = DescribeServer(server);
            return (failure, reason, server.SqlState);
        }

        for (Exception? inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case TimeoutException:
                    return (DatabaseFailure.Timeout, $"no answer within {Seconds(timeout)} s", null);
                case SocketException socket:
                    return DescribeSocket(socket);
                case AuthenticationException:
                    // SslStream's messages ("The remote certificate was rejected by the provided
                    // RemoteCertificateValidationCallback.") name the mechanism, not the reason an operator can act on.
                    return (DatabaseFailure.Ssl, "the server's TLS certificate is not trusted (check ca-certificate, and the hostname for verify-full)", null);
                case PostgresException innerServer:
                    var (failure, reason) = DescribeServer(innerServer);
                    return (failure, reason, innerServer.SqlState);
                default:
                    continue;
            }
        }

        // Npgsql's own wording for a server that answers the SSL request with 'N'.
        if (exception.Message.Contains("SSL connection requested", StringComparison.OrdinalIgnoreCase))
        {
            return (DatabaseFailure.Ssl, "the server does not offer TLS but sslmode requires it", null);
        }

        if (exception.InnerException is IOException or EndOfStreamException)
        {
            return (DatabaseFailure.Unreachable, "the server closed the connection", null);
        }

        return (DatabaseFailure.ServerError, exception.Message, null);
    }

    private static (DatabaseFailure, string) DescribeServer(PostgresException server) => server.SqlState switch
    {
        PostgresErrorCodes.InvalidPassword => (DatabaseFailure.AuthenticationFailed, "password authentication failed"),
        PostgresErrorCodes.InvalidAuthorizationSpecification when RequiresEncryption(server.MessageText) =>
            (DatabaseFailure.Ssl, "the server accepts only encrypted connections from here; use sslmode require or stricter"),
        PostgresErrorCodes.InvalidAuthorizationSpecification => (DatabaseFailure.AuthenticationFailed, server.MessageText),
        PostgresErrorCodes.InvalidCatalogName => (DatabaseFailure.DatabaseMissing, server.MessageText),
        PostgresErrorCodes.InsufficientPrivilege => (DatabaseFailure.InsufficientPrivilege, server.MessageText),
        PostgresErrorCodes.TooManyConnections => (DatabaseFailure.Unreachable, "the server has too many connections"),
        PostgresErrorCodes.CannotConnectNow => (DatabaseFailure.Unreachable, "the server is starting up or shutting down"),
        PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown => (DatabaseFailure.Unreachable, "the server is shutting down"),
        PostgresErrorCodes.QueryCanceled or PostgresErrorCodes.LockNotAvailable => (DatabaseFailure.Timeout, "the statement took too long"),
        _ => (DatabaseFailure.ServerError, $"{server.MessageText} (SQLSTATE {server.SqlState})"),
    };

    /// <summary>pg_hba.conf rejects unencrypted connections with "no pg_hba.conf entry … no encryption" (PostgreSQL 14+)
    /// or "… SSL off" (older).</summary>
    private static bool RequiresEncryption(string message) =>
        message.Contains("no encryption", StringComparison.OrdinalIgnoreCase) || message.Contains("SSL off", StringComparison.OrdinalIgnoreCase);

    private static (DatabaseFailure, string, string?) DescribeSocket(SocketException socket) => socket.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => (DatabaseFailure.Unreachable, "connection refused", null),
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => (DatabaseFailure.Unreachable, "host not found", null),
        SocketError.TimedOut => (DatabaseFailure.Timeout, "the connection timed out", null),
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => (DatabaseFailure.Unreachable, "no route to the host", null),
        SocketError.ConnectionReset or SocketError.ConnectionAborted => (DatabaseFailure.Unreachable, "the server closed the connection", null),
        _ => (DatabaseFailure.Unreachable, socket.Message, null),
    };

    private static string Seconds(TimeSpan duration) => Math.Ceiling(duration.TotalSeconds).ToString(CultureInfo.InvariantCulture);
}
