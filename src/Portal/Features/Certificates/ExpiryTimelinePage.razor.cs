using Microsoft.AspNetCore.Components;
using Portal.Provisioning.Certificates;

namespace Portal.Features.Certificates;

/// <summary>Every stack's certificates on one timeline (valid from, until, next renewal, now) and in a table, soonest expiry first;
/// a stack whose cluster did not answer is listed with its problem instead of being left out silently.</summary>
public sealed partial class ExpiryTimelinePage
{
    private IReadOnlyList<StackCertificateExpiries>? _expiries;
    private TimelineLayout? _layout;
    private string? _problem;
    private bool _loading;
    private DateTimeOffset _now;

    [Inject]
    public required ICertificateService Certificates { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    private IReadOnlyList<StackCertificateExpiries> Unanswered => _expiries?.Where(s => s.Problem is not null).ToList() ?? [];

    private IEnumerable<(string Stack, CertificateExpiry Certificate)> Soonest =>
        (_expiries ?? []).SelectMany(s => s.Certificates.Select(c => (s.Stack, c))).OrderBy(r => r.c.NotAfter).ThenBy(r => r.Stack, StringComparer.Ordinal);

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        _loading = true;
        try
        {
            _now = Time.GetUtcNow();
            _expiries = await Certificates.ExpiriesAsync(CancellationToken.None);
            _layout = ExpiryTimeline.Build(_expiries, _now);
            _problem = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _problem = $"The certificates could not be read: {e.Message}";
        }
        finally
        {
            _loading = false;
        }
    }
}
