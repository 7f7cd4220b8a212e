using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Portal.Domain.Common;
using Portal.Provisioning.Stacks;

namespace Portal.Features.Audit;

/// <summary>An audit filter as query parameters (<c>stack</c>, <c>actor</c>, <c>action</c>, <c>result</c>, <c>from</c>,
/// <c>to</c>, <c>page</c>, <c>pageSize</c>): what <c>GET /api/v1/audit</c>, the CSV downloads and the audit page's links share.</summary>
public static class AuditFilter
{
    private static readonly string[] s_filters = ["stack", "actor", "action", "result", "from", "to"];
    private static readonly string[] s_paging = ["page", "pageSize"];

    /// <summary>Reads a filter from query parameters, every problem at once (a time that does not parse, a page that is not a
    /// number, a parameter nobody asked for); <paramref name="paged"/> says whether page and pageSize are allowed.</summary>
    public static Result<AuditQuery> Parse(IEnumerable<KeyValuePair<string, StringValues>> parameters, bool paged)
    {
        var errors = new ErrorList();
        var query = parameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var known = paged ? s_filters.Concat(s_paging).ToArray() : s_filters;
        foreach (var unknown in query.Keys.Where(k => !known.Contains(k, StringComparer.Ordinal)))
        {
            errors.Add(unknown, $"Unknown query parameter; the parameters are {string.Join(", ", known)}.");
        }

        foreach (var repeated in query.Where(p => p.Value.Count > 1).Select(p => p.Key).Where(known.Contains))
        {
            errors.Add(repeated, "Give this parameter once.");
        }

        var filter = new AuditQuery(
            Text(query, "stack"),
            Text(query, "actor"),
            Text(query, "action"),
            Text(query, "result"),
            Time(query, "from", errors),
            Time(query, "to", errors),
            Number(query, "page", 1, errors),
            Number(query, "pageSize", AuditQuery.DefaultPageSize, errors));
        errors.AddRange(filter.Validate().Where(e => !errors.Any(found => found.Path == e.Path)));
        return errors.Count == 0 ? filter : Result<AuditQuery>.Failure(errors);
    }

    /// <summary>The query string of a filter (with its leading <c>?</c>, or empty), leaving defaults out.</summary>
    public static string ToQueryString(AuditQuery filter, bool paged)
    {
        var parameters = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["stack"] = filter.Stack,
            ["actor"] = filter.Actor,
            ["action"] = filter.Action,
            ["result"] = filter.Result,
            ["from"] = filter.From?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["to"] = filter.To?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
        if (paged)
        {
            parameters["page"] = filter.Page == 1 ? null : filter.Page.ToString(CultureInfo.InvariantCulture);
            parameters["pageSize"] = filter.PageSize == AuditQuery.DefaultPageSize ? null : filter.PageSize.ToString(CultureInfo.InvariantCulture);
        }

        var given = parameters.Where(p => !string.IsNullOrEmpty(p.Value)).ToList();
        return given.Count == 0 ? "" : QueryHelpers.AddQueryString("", given);
    }

    private static string? Text(Dictionary<string, StringValues> query, string name) =>
        query.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value.ToString()) ? value.ToString().Trim() : null;

    private static DateTimeOffset? Time(Dictionary<string, StringValues> query, string name, ErrorList errors)
    {
        if (Text(query, name) is not { } text)
        {
            return null;
        }

        // A time without an offset is read as UTC: the portal shows every time in UTC.
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        errors.Add(name, $"Expected a time such as 2026-01-31 or 2026-01-31T14:00:00Z (ISO 8601, UTC unless an offset is given), got '{Shorten(text)}'.");
        return null;
    }

    private static int Number(Dictionary<string, StringValues> query, string name, int fallback, ErrorList errors)
    {
        if (Text(query, name) is not { } text)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        errors.Add(name, $"Expected a whole number, got '{Shorten(text)}'.");
        return fallback;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
