using System.Globalization;
using Microsoft.AspNetCore.Components;
using Portal.Provisioning.Stacks;

namespace Portal.Features.Audit;

/// <summary>The audit log: filters (stack, actor, action, result, time range), pages, each entry's diff and operation, and
/// a CSV download of everything the filters select.</summary>
/// <remarks>The address may carry the filters (<c>/audit?stack=prod&amp;result=refused</c>) so that other pages can link here.</remarks>
public sealed partial class AuditPage : IDisposable
{
    private const string LocalTime = "yyyy-MM-ddTHH:mm";

    private readonly CancellationTokenSource _disposed = new();
    private readonly HashSet<long> _open = [];
    private readonly Dictionary<Guid, OperationView?> _operations = [];
    private AuditFacets? _facets;
    private AuditEntryPage? _page;
    private List<string> _filterErrors = [];
    private string? _stack;
    private string? _actor;
    private string? _action;
    private string? _result;
    private string? _from;
    private string? _to;
    private int _pageNumber = 1;

    [Inject]
    public required IAuditLog Audit { get; init; }

    [Inject]
    public required IStackService Stacks { get; init; }

    [SupplyParameterFromQuery(Name = "stack")]
    public string? InitialStack { get; set; }

    [SupplyParameterFromQuery(Name = "actor")]
    public string? InitialActor { get; set; }

    [SupplyParameterFromQuery(Name = "action")]
    public string? InitialAction { get; set; }

    [SupplyParameterFromQuery(Name = "result")]
    public string? InitialResult { get; set; }

    private bool HasFilter => _stack is not null || _actor is not null || _action is not null || _result is not null || !string.IsNullOrEmpty(_from) || !string.IsNullOrEmpty(_to);

    private string ExportHref => AuditExport.Path + AuditFilter.ToQueryString(Query(), paged: false);

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    protected override async Task OnInitializedAsync()
    {
        _stack = Blank(InitialStack);
        _actor = Blank(InitialActor);
        _action = Blank(InitialAction);
        _result = Blank(InitialResult);
        _facets = await Audit.FacetsAsync(_disposed.Token);
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        var query = Query();
        var errors = query.Validate();
        _filterErrors = [.. errors.Select(e => e.Message), .. TimeErrors()];
        if (_filterErrors.Count > 0)
        {
            return;
        }

        var result = await Audit.QueryAsync(query, _disposed.Token);
        if (result.IsSuccess)
        {
            _page = result.Value;
            _open.Clear();
        }
        else
        {
            _filterErrors = result.Errors.Select(e => e.Message).ToList();
        }
    }

    private async Task FilterChangedAsync(Action change)
    {
        change();
        _pageNumber = 1;
        await LoadAsync();
    }

    private async Task ClearFiltersAsync()
    {
        (_stack, _actor, _action, _result, _from, _to) = (null, null, null, null, null, null);
        _pageNumber = 1;
        await LoadAsync();
    }

    private async Task PageChangedAsync(int page)
    {
        _pageNumber = page;
        await LoadAsync();
    }

    private void Toggle(AuditEntry? entry)
    {
        if (entry is not null && !_open.Remove(entry.Id))
        {
            _open.Add(entry.Id);
        }
    }

    private async Task ShowOperationAsync(Guid id)
    {
        var operation = await Stacks.GetOperationAsync(id, _disposed.Token);
        _operations[id] = operation.IsSuccess ? operation.Value : null;
    }

    private AuditQuery Query() => new(_stack, _actor, _action, _result, ParseTime(_from), ParseTime(_to), _pageNumber);

    private IEnumerable<string> TimeErrors()
    {
        if (!string.IsNullOrEmpty(_from) && ParseTime(_from) is null)
        {
            yield return "The start of the time range is not a date and time.";
        }

        if (!string.IsNullOrEmpty(_to) && ParseTime(_to) is null)
        {
            yield return "The end of the time range is not a date and time.";
        }
    }

    /// <summary>The value of a datetime-local field, read as UTC (the page shows every time in UTC).</summary>
    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The result without its "accepted: "/"refused: " prefix (the chip says it), cut to one line.</summary>
    private static string Summary(string result)
    {
        var text = result;
        foreach (var prefix in new[] { AuditOutcomes.Accepted + ": ", AuditOutcomes.Refused + ": " })
        {
            if (text.StartsWith(prefix, StringComparison.Ordinal))
            {
                text = text[prefix.Length..];
            }
        }

        return text.Length <= 140 ? text : text[..140] + "…";
    }

    private static string DiffClass(string line) => line.Length > 0 ? line[0] switch
    {
        '+' => "added",
        '-' => "removed",
        '~' => "changed",
        _ => "note",
    } : "note";

    private static string DiffSign(string line) => DiffClass(line) switch
    {
        "added" => "added",
        "removed" => "removed",
        "changed" => "changed",
        _ => "",
    };

    private static string DiffText(string line) => DiffClass(line) == "note" ? line : line[1..].TrimStart();
}
