using System.Text.Json;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Provisioning.Telemetry;

namespace Portal.Provisioning.Persistence;

/// <summary>The portal's database: stacks, clusters, operations with their steps, the audit log, API tokens and Data Protection keys.</summary>
/// <remarks>Two providers share this model, each with its own migrations: PostgreSQL in production
/// (<see cref="PostgresPortalDbContext"/>) and SQLite on the embedded default (<see cref="SqlitePortalDbContext"/>).</remarks>
internal abstract class PortalDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public DbSet<StackRecord> Stacks => Set<StackRecord>();

    public DbSet<ClusterRecord> Clusters => Set<ClusterRecord>();

    public DbSet<Operation> Operations => Set<Operation>();

    public DbSet<AuditRecord> Audit => Set<AuditRecord>();

    public DbSet<ApiTokenRecord> ApiTokens => Set<ApiTokenRecord>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>Told, after a save succeeded, of each operation the save brought to its end (telemetry counts them).</summary>
    internal Action<Operation>? OperationFinished { get; set; }

    // Every save goes through these two: a new operation gets its trace (see OperationTracing), a finished one is reported.
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        using var tracking = OperationTracing.BeforeSave(ChangeTracker);
        var saved = base.SaveChanges(acceptAllChangesOnSuccess);
        tracking.Saved(OperationFinished);
        return saved;
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        using var tracking = OperationTracing.BeforeSave(ChangeTracker);
        var saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken).ConfigureAwait(false);
        tracking.Saved(OperationFinished);
        return saved;
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var specConverter = new ValueConverter<StackSpec, string>(
            spec => JsonSerializer.Serialize(spec, Json),
            text => JsonSerializer.Deserialize<StackSpec>(text, Json)!);
        var optionalSpecConverter = new ValueConverter<StackSpec?, string?>(
            spec => spec == null ? null : JsonSerializer.Serialize(spec, Json),
            text => text == null ? null : JsonSerializer.Deserialize<StackSpec>(text, Json));
        var listConverter = new ValueConverter<IReadOnlyList<string>, string>(
            list => JsonSerializer.Serialize(list, Json),
            text => JsonSerializer.Deserialize<List<string>>(text, Json)!);
        var listComparer = new ValueComparer<IReadOnlyList<string>>(
            (a, b) => a!.SequenceEqual(b!),
            list => list.Aggregate(0, (hash, item) => HashCode.Combine(hash, item.GetHashCode(StringComparison.Ordinal))),
            list => list.ToList());
        // Specs are replaced, never mutated in place: reference equality is the right change check.
        var specComparer = new ValueComparer<StackSpec>((a, b) => ReferenceEquals(a, b), spec => spec.GetHashCode(), spec => spec);
        var optionalSpecComparer = new ValueComparer<StackSpec?>((a, b) => ReferenceEquals(a, b), spec => spec == null ? 0 : spec.GetHashCode(), spec => spec);

        modelBuilder.Entity<StackRecord>(stack =>
        {
            stack.ToTable("stacks");
            stack.HasKey(s => s.Id);
            stack.HasIndex(s => s.Name).IsUnique();
            stack.HasIndex(s => new { s.Cluster, s.Namespace }).IsUnique();
            stack.Property(s => s.Name).HasMaxLength(63);
            stack.Property(s => s.Blueprint).HasMaxLength(63);
            stack.Property(s => s.Cluster).HasMaxLength(63);
            stack.Property(s => s.Namespace).HasMaxLength(63);
            stack.Property(s => s.Spec).HasConversion(specConverter, specComparer);
            stack.Property(s => s.Applied).HasConversion(optionalSpecConverter, optionalSpecComparer);
            stack.Property(s => s.SecretOptions).HasConversion(listConverter, listComparer).HasDefaultValueSql("'[]'");
            stack.Property(s => s.Version).IsConcurrencyToken();
        });

        modelBuilder.Entity<ClusterRecord>(cluster =>
        {
            cluster.ToTable("clusters");
            cluster.HasKey(c => c.Name);
            cluster.Property(c => c.Name).HasMaxLength(63);
            cluster.Property(c => c.Source).HasConversion<string>().HasMaxLength(20);
        });

        modelBuilder.Entity<Operation>(operation =>
        {
            operation.ToTable("operations");
            operation.HasKey(o => o.Id);
            operation.HasIndex(o => new { o.Stack, o.CreatedAt });
            operation.HasIndex(o => o.State);
            operation.Property(o => o.Stack).HasMaxLength(63);
            operation.Property(o => o.Kind).HasConversion<string>().HasMaxLength(20);
            operation.Property(o => o.State).HasConversion<string>().HasMaxLength(20);
            operation.Property(o => o.Target).HasConversion(specConverter, specComparer);
            operation.Property(o => o.Keeps).HasConversion(listConverter, listComparer);
            operation.Property(o => o.Version).IsConcurrencyToken();
            operation.Property<string?>(OperationTracing.TraceParentProperty).HasMaxLength(OperationTracing.TraceParentLength);
            operation.HasMany(o => o.Steps).WithOne().HasForeignKey(s => s.OperationId).OnDelete(DeleteBehavior.Cascade);
            operation.Navigation(o => o.Steps).HasField("_steps").UsePropertyAccessMode(PropertyAccessMode.Field);
        });

        modelBuilder.Entity<Step>(step =>
        {
            step.ToTable("steps");
            step.HasKey(s => s.Id);
            step.HasIndex(s => new { s.OperationId, s.Key }).IsUnique();
            step.HasIndex(s => s.State);
            step.Property(s => s.Key).HasMaxLength(200);
            step.Property(s => s.Kind).HasConversion<string>().HasMaxLength(30);
            step.Property(s => s.State).HasConversion<string>().HasMaxLength(20);
            step.Property(s => s.DependsOn).HasConversion(listConverter, listComparer);
            step.Property(s => s.Subject).HasConversion(subject => subject!.ToString(), text => StepSubject.Parse(text)).HasMaxLength(300);
        });

        modelBuilder.Entity<AuditRecord>(audit =>
        {
            audit.ToTable("audit");
            audit.HasKey(a => a.Id);
            audit.HasIndex(a => a.At);
            audit.HasIndex(a => a.Stack);
        });

        modelBuilder.Entity<ApiTokenRecord>(token =>
        {
            token.ToTable("api_tokens");
            token.HasKey(t => t.Id);
            token.Property(t => t.Id).HasMaxLength(32);
            token.Property(t => t.Name).HasMaxLength(100);
            token.Property(t => t.Role).HasConversion<string>().HasMaxLength(20);
            token.Property(t => t.Hash).HasMaxLength(32);
            token.Property(t => t.CreatedBy).HasMaxLength(200);
            token.Property(t => t.RevokedBy).HasMaxLength(200);
        });

        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");
    }
}

/// <summary>The model on PostgreSQL (production).</summary>
internal sealed class PostgresPortalDbContext(DbContextOptions<PostgresPortalDbContext> options) : PortalDbContext(options);

/// <summary>The model on SQLite (embedded default). SQLite cannot compare <see cref="DateTimeOffset"/> values, so they are
/// stored as sortable numbers.</summary>
internal sealed class SqlitePortalDbContext(DbContextOptions<SqlitePortalDbContext> options) : PortalDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}
