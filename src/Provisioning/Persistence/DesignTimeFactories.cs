using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Portal.Provisioning.Persistence;

// Used only by `dotnet ef migrations add`: the connection strings are never opened.

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresPortalDbContext>
{
    public PostgresPortalDbContext CreateDbContext(string[] args) => new(
        new DbContextOptionsBuilder<PostgresPortalDbContext>()
            .UseNpgsql("Host=localhost;Database=portal", o => o.MigrationsHistoryTable("__migrations"))
            .Options);
}

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqlitePortalDbContext>
{
    public SqlitePortalDbContext CreateDbContext(string[] args) => new(
        new DbContextOptionsBuilder<SqlitePortalDbContext>()
            .UseSqlite("Data Source=design.db", o => o.MigrationsHistoryTable("__migrations"))
            .Options);
}
