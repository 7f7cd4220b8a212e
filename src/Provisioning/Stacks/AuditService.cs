using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Portal.Provisioning.Persistence;

namespace Portal.Provisioning.Stacks;

/// <summary>The audit log read from the portal database.</summary>
internal sealed class AuditService(PortalDatabase database) : IAuditLog
{
    public async Task<ServiceResult<AuditEntryPage>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        var errors = query.Validate();
        if (errors.Count > 0)
        {
            return ServiceResult<AuditEntryPage>.Invalid(errors);
        }

        await using var db = database.CreateContext();
        var matching = Filter(db.Audit.AsNoTracking(), query);
        var total = await matching.CountAsync(cancellationToken).ConfigureAwait(false);
        var records = await Newest(matching)
            .Skip((query.Page - 1) * query.PageSize)
            .Take(query.PageSize)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return ServiceResult<AuditEntryPage>.Ok(new AuditEntryPage(records.Select(Entry).ToList(), query.Page, query.PageSize, total));
    }

    public async IAsyncEnumerable<AuditEntry> ExportAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (query.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException($"The audit filter is not valid: {string.Join("; ", errors)}", nameof(query));
        }

        await using var db = database.CreateContext();
        await foreach (var record in Newest(Filter(db.Audit.AsNoTracking(), query)).AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return Entry(record);
        }
    }

    public async Task<AuditFacets> FacetsAsync(CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var actors = await db.Audit.Select(a => a.Actor).Distinct().ToListAsync(cancellationToken).ConfigureAwait(false);
        var actions = await db.Audit.Select(a => a.Action).Distinct().ToListAsync(cancellationToken).ConfigureAwait(false);
        var stacks = await db.Audit.Where(a => a.Stack != null).Select(a => a.Stack!).Distinct().ToListAsync(cancellationToken).ConfigureAwait(false);
        return new AuditFacets(Sorted(actors), Sorted(actions), Sorted(stacks));
    }

    private static IQueryable<AuditRecord> Filter(IQueryable<AuditRecord> audit, AuditQuery query)
    {
        if (!string.IsNullOrEmpty(query.Stack))
        {
            audit = audit.Where(a => a.Stack == query.Stack);
        }

        if (!string.IsNullOrEmpty(query.Actor))
        {
            audit = audit.Where(a => a.Actor == query.Actor);
        }

        if (!string.IsNullOrEmpty(query.Action))
        {
            audit = audit.Where(a => a.Action == query.Action);
        }

        // Refusals are the entries whose result starts with "refused" (see AuditOutcomes.Of).
        audit = query.Result switch
        {
            AuditOutcomes.Refused => audit.Where(a => a.Result.StartsWith(AuditOutcomes.Refused)),
            AuditOutcomes.Accepted => audit.Where(a => !a.Result.StartsWith(AuditOutcomes.Refused)),
            _ => audit,
        };

        if (query.From is { } from)
        {
            audit = audit.Where(a => a.At >= from);
        }

        if (query.To is { } to)
        {
            audit = audit.Where(a => a.At < to);
        }

        return audit;
    }

    private static IQueryable<AuditRecord> Newest(IQueryable<AuditRecord> audit) => audit.OrderByDescending(a => a.At).ThenByDescending(a => a.Id);

    private static AuditEntry Entry(AuditRecord record) => new(
        record.Id,
        record.At,
        record.Actor,
        record.Action,
        record.Stack,
        record.Target,
        record.Reason,
        record.Result,
        AuditOutcomes.Of(record.Result),
        record.OperationId,
        record.Diff);

    private static List<string> Sorted(List<string> values) => values.Order(StringComparer.Ordinal).ToList();
}
