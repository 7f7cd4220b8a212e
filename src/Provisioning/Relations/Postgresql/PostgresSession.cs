using System.Security.Cryptography.X509Certificates;
using Npgsql;

namespace Portal.Provisioning.Relations.Postgresql;

/// <summary>One open, unpooled connection to a PostgreSQL database, with the few query shapes administration needs.</summary>
/// <remarks>
/// Unpooled on purpose: admin work is rare and short, a pooled connection would keep the admin's session (and any
/// session advisory lock) alive after the work is done, and a relation role's password check must really log in.
/// No logger factory is given to Npgsql, so it never logs statement text (which holds password verifiers).
/// </remarks>
internal sealed class PostgresSession : IAsyncDisposable
{
    public const string ApplicationName = "airbyte-portal";

    private readonly NpgsqlDataSource _dataSource;
    private readonly X509Certificate2Collection _caCertificates;

    private PostgresSession(NpgsqlDataSource dataSource, X509Certificate2Collection caCertificates, NpgsqlConnection connection)
    {
        _dataSource = dataSource;
        _caCertificates = caCertificates;
        Connection = connection;
    }

    public NpgsqlConnection Connection { get; }

    /// <summary>The server's major version (15 for 15.18).</summary>
    public int MajorVersion => Connection.PostgreSqlVersion.Major;

    public string ServerVersion => Connection.PostgreSqlVersion.ToString();

    public static async Task<PostgresSession> OpenAsync(
        PostgresServer server,
        string database,
        string username,
        string password,
        PostgresqlAdminOptions options,
        CancellationToken cancellationToken)
    {
        var settings = new NpgsqlConnectionStringBuilder
        {
            Host = server.Host,
            Port = server.Port,
            Database = database,
            Username = username,
            Password = password,
            SslMode = ToNpgsql(server.SslMode),
            Timeout = Seconds(options.ConnectTimeout),
            CommandTimeout = Seconds(options.CommandTimeout),
            ApplicationName = ApplicationName,
            Pooling = false,
            Enlist = false,
        };

        var builder = new NpgsqlDataSourceBuilder(settings.ConnectionString);
        var caCertificates = server.LoadCaCertificates();
        if (caCertificates.Count > 0)
        {
            // Npgsql consults root certificates only for verify-ca and verify-full; for the other modes they are inert.
            builder.UseRootCertificates(caCertificates);
        }

        var dataSource = builder.Build();
        try
        {
            var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return new PostgresSession(dataSource, caCertificates, connection);
        }
        catch
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            DisposeAll(caCertificates);
            throw;
        }
    }

    public async Task<T?> ScalarAsync<T>(string sql, IReadOnlyList<object> arguments, CancellationToken cancellationToken)
    {
        await using var command = Command(sql, arguments);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? default : (T)value;
    }

    public async Task<TRow?> RowAsync<TRow>(string sql, IReadOnlyList<object> arguments, Func<NpgsqlDataReader, TRow> read, CancellationToken cancellationToken)
        where TRow : class
    {
        await using var command = Command(sql, arguments);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? read(reader) : null;
    }

    public async Task<IReadOnlyList<string>> StringsAsync(string sql, IReadOnlyList<object> arguments, CancellationToken cancellationToken)
    {
        await using var command = Command(sql, arguments);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var values = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    /// <summary>Runs one statement on its own (autocommit): <c>CREATE DATABASE</c> and <c>DROP DATABASE</c> refuse to run
    /// inside a transaction block or a multi-statement batch.</summary>
    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken) => await ExecuteAsync(sql, [], cancellationToken).ConfigureAwait(false);

    public async Task ExecuteAsync(string sql, IReadOnlyList<object> arguments, CancellationToken cancellationToken)
    {
        await using var command = Command(sql, arguments);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        DisposeAll(_caCertificates);
    }

    private static SslMode ToNpgsql(PostgresSslMode mode) => mode switch
    {
        PostgresSslMode.Disable => SslMode.Disable,
        PostgresSslMode.Allow => SslMode.Allow,
        PostgresSslMode.Prefer => SslMode.Prefer,
        PostgresSslMode.Require => SslMode.Require,
        PostgresSslMode.VerifyCa => SslMode.VerifyCA,
        PostgresSslMode.VerifyFull => SslMode.VerifyFull,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    private static int Seconds(TimeSpan duration) => Math.Max(1, (int)Math.Ceiling(duration.TotalSeconds));

    private static void DisposeAll(X509Certificate2Collection certificates)
    {
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }
    }

#pragma warning disable CA2100 // Names and literals in admin DDL go through PostgresNames.Quote/Literal; values go as parameters.
    private NpgsqlCommand Command(string sql, IReadOnlyList<object> arguments)
    {
        var command = new NpgsqlCommand(sql, Connection);
        foreach (var argument in arguments)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = argument });
        }

        return command;
    }
#pragma warning restore CA2100
}
