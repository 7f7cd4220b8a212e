using Portal.Domain.Common;

namespace Portal.Provisioning.Stacks;

/// <summary>The audit log: every mutating action (stacks, operations, clusters), refused ones included, newest first.</summary>
/// <remarks>Read-only: the stack and cluster services write entries in the same transaction as the change they record.
/// Secret values never reach it (diffs show <see cref="StackViews.SecretMask"/>, kubeconfigs are not recorded).</remarks>
public interface IAuditLog
{
    /// <summary>One page of the entries matching the filter; an invalid filter lists every problem.</summary>
    Task<ServiceResult<AuditEntryPage>> QueryAsync(AuditQuery query, CancellationToken cancellationToken);

    /// <summary>Every entry matching the filter (paging ignored), newest first, read as it is enumerated (for CSV export).</summary>
    /// <remarks>Call <see cref="AuditQuery.Validate"/> first; an invalid filter throws.</remarks>
    IAsyncEnumerable<AuditEntry> ExportAsync(AuditQuery query, CancellationToken cancellationToken);

    /// <summary>The values the filters can take: every actor, action and stack that has an entry.</summary>
    Task<AuditFacets> FacetsAsync(CancellationToken cancellationToken);
}

/// <summary>Whether an audited request was carried out or refused.</summary>
public static class AuditOutcomes
{
    /// <summary>Carried out (an operation started, or the change was made).</summary>
    public const string Accepted = "accepted";

    /// <summary>Refused: invalid, conflicting or unavailable; nothing changed.</summary>
    public const string Refused = "refused";

    /// <summary>The outcome of an entry's result text (refusals start with "refused").</summary>
    public static string Of(string result) => result.StartsWith(Refused, StringComparison.Ordinal) ? Refused : Accepted;
}

/// <summary>A filter of the audit log. Every criterion is optional; <see cref="To"/> is exclusive.</summary>
/// <param name="Stack">Entries about this stack (exact name).</param>
/// <param name="Actor">Entries by this actor (exact name).</param>
/// <param name="Action">Entries of this action (<c>create</c>, <c>teardown</c>, <c>connect-cluster</c>…).</param>
/// <param name="Result"><see cref="AuditOutcomes.Accepted"/> or <see cref="AuditOutcomes.Refused"/>.</param>
/// <param name="Page">1-based page number.</param>
public sealed record AuditQuery(
    string? Stack = null,
    string? Actor = null,
    string? Action = null,
    string? Result = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int Page = 1,
    int PageSize = AuditQuery.DefaultPageSize)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    /// <summary>Every problem of the filter, each under the name of its query parameter.</summary>
    public IReadOnlyList<ValidationError> Validate()
    {
        var errors = new ErrorList();
        if (Result is not null && Result is not (AuditOutcomes.Accepted or AuditOutcomes.Refused))
        {
            errors.Add("result", $"The result is '{AuditOutcomes.Accepted}' or '{AuditOutcomes.Refused}'.");
        }

        if (From is { } from && To is { } to && from >= to)
        {
            errors.Add("to", "The end of the time range must be after its start.");
        }

        // No name has a control character, and PostgreSQL cannot even compare text holding a NUL: refused rather than failed.
        foreach (var (name, value) in new[] { ("stack", Stack), ("actor", Actor), ("action", Action) })
        {
            if (value is not null && value.Any(char.IsControl))
            {
                errors.Add(name, $"The {name} filter has a control character; no {name} has one.");
            }
        }

        if (Page < 1)
        {
            errors.Add("page", "Pages are numbered from 1.");
        }

        if (PageSize is < 1 or > MaxPageSize)
        {
            errors.Add("pageSize", $"A page holds 1 to {MaxPageSize} entries.");
        }

        return errors;
    }
}

/// <summary>One audited action.</summary>
/// <param name="Stack">The stack it was about; null for cluster actions.</param>
/// <param name="Target">What it acted on: the stack, or the cluster for cluster actions.</param>
/// <param name="Reason">Why, as the actor said (required for teardown).</param>
/// <param name="Result">What happened, e.g. "accepted: 12 steps" or "refused: …".</param>
/// <param name="Outcome"><see cref="AuditOutcomes.Accepted"/> or <see cref="AuditOutcomes.Refused"/>.</param>
/// <param name="OperationId">The operation it started or acted on.</param>
/// <param name="Diff">Before/after, one change per line (<c>+</c> added, <c>-</c> removed, <c>~</c> changed); secrets masked.</param>
public sealed record AuditEntry(
    long Id,
    DateTimeOffset At,
    string Actor,
    string Action,
    string? Stack,
    string? Target,
    string? Reason,
    string Result,
    string Outcome,
    Guid? OperationId,
    string? Diff);

/// <summary>A page of the audit log.</summary>
/// <param name="Total">How many entries match the filter in all.</param>
public sealed record AuditEntryPage(IReadOnlyList<AuditEntry> Items, int Page, int PageSize, int Total)
{
    public int Pages => Total == 0 ? 1 : (Total + PageSize - 1) / PageSize;
}

/// <summary>The values the audit filters can take.</summary>
public sealed record AuditFacets(IReadOnlyList<string> Actors, IReadOnlyList<string> Actions, IReadOnlyList<string> Stacks);
