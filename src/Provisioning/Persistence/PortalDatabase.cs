using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Portal.Provisioning.Persistence;

/// <summary>Which database the portal keeps its state in.</summary>
/// <param name="PostgresConnectionString">Set in production; null means the embedded default's SQLite file.</param>
/// <param name="SqlitePath">The SQLite file of the embedded default.</param>
internal sealed record PortalDatabaseOptions(string? PostgresConnectionString, string SqlitePath)
{
    public bool IsPostgres => !string.IsNullOrWhiteSpace(PostgresConnectionString);
}

/// <summary>Creates contexts on the configured provider and migrates the schema at start.</summary>
internal sealed class PortalDatabase
{
    private readonly Func<PortalDbContext> _create;

    /// <param name="interceptors">EF Core interceptors every context gets (none in the portal; a test uses one to make a concurrent
    /// write land at a chosen moment).</param>
    public PortalDatabase(PortalDatabaseOptions options, IReadOnlyList<IInterceptor>? interceptors = null)
    {
        interceptors ??= [];
        Options = options;
        if (options.IsPostgres)
        {
            var postgres = new DbContextOptionsBuilder<PostgresPortalDbContext>()
                .UseNpgsql(options.PostgresConnectionString, o => o.MigrationsHistoryTable("__migrations").EnableRetryOnFailure(5))
                .AddInterceptors(interceptors)
                .Options;
            _create = () => new PostgresPortalDbContext(postgres);
        }
        else
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(options.SqlitePath));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            // Busy timeout: several workers write at once on the embedded default; wait for the lock rather than fail.
            var sqlite = new DbContextOptionsBuilder<SqlitePortalDbContext>()
                .UseSqlite($"Data Source={options.SqlitePath};Default Timeout=30;Pooling=true", o => o.MigrationsHistoryTable("__migrations"))
                .AddInterceptors(interceptors)
                .Options;
            _create = () => new SqlitePortalDbContext(sqlite);
        }
    }

    public PortalDatabaseOptions Options { get; }

    /// <summary>Raised after a save that brought an operation to its end (succeeded, failed or cancelled), once per operation,
    /// whichever path ended it: the step runner, a cancel, a job that failed for good.</summary>
    public event Action<Domain.Operations.Operation>? OperationFinished;

    public PortalDbContext CreateContext()
    {
        var context = _create();
        context.OperationFinished = operation => OperationFinished?.Invoke(operation);
        return context;
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var context = CreateContext();
        await context.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        if (!Options.IsPostgres)
        {
            // Write-ahead logging lets the UI read while a step writes.
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A human description for the shell, without credentials.</summary>
    public string Describe() => Options.IsPostgres
        ? $"PostgreSQL ({DescribePostgres(Options.PostgresConnectionString!)})"
        : $"SQLite ({Options.SqlitePath})";

    private static string DescribePostgres(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}:{builder.Port}/{builder.Database}";
    }
}

/// <summary>Extension to check the provider in queries that need provider-specific SQL.</summary>
internal static class PortalDbContextExtensions
{
    public static bool IsPostgres(this DatabaseFacade database) => database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL";
}
