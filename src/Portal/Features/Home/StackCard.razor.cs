using Microsoft.AspNetCore.Components;
using Portal.Domain.Status;
using Portal.Domain.Status.Observation;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Live;
using Portal.Provisioning.Stacks;
using Portal.Shared.Status;

namespace Portal.Features.Home;

/// <summary>One stack on the overview: live status with counts, the first root cause, where it runs, its running or last
/// operation, and its certificate that expires first.</summary>
/// <remarks>Renders again only when its own stack changed: a live update of one stack does not redraw the other cards.</remarks>
public sealed partial class StackCard
{
    private LiveStack? _renderedLive;
    private StackSummary? _renderedSummary;
    private bool _rendered;
    private string _status = "unknown";
    private string _tone = "unknown";
    private StatusDiagnosis? _cause;
    private int _causes;
    private string? _certificates;
    private CardExpiry? _renderedExpiry;

    [Parameter, EditorRequired]
    public required string Name { get; set; }

    /// <summary>The stored stack (where, operations); null when only the live state knows it.</summary>
    [Parameter]
    public StackSummary? Summary { get; set; }

    /// <summary>The live state; null until the cluster's watch has it.</summary>
    [Parameter]
    public LiveStack? Live { get; set; }

    /// <summary>The stack's soonest certificate expiry, or why it is not known; null until the overview has asked.</summary>
    [Parameter]
    public CardExpiry? Expiry { get; set; }

    [Parameter, EditorRequired]
    public required DateTimeOffset Now { get; set; }

    private OperationSummary? Operation => Summary?.ActiveOperation ?? Summary?.LastOperation;

    protected override void OnParametersSet()
    {
        if (_rendered && ReferenceEquals(Live, _renderedLive) && Equals(Summary, _renderedSummary) && Equals(Expiry, _renderedExpiry))
        {
            return;
        }

        var status = Live?.Status.Status ?? ComponentStatus.Unknown;
        _status = StatusStyles.Word(status);
        _tone = StatusStyles.Tone(status);
        var causes = Live is null ? [] : WhyNotGreen.RootCauses(Live.Status);
        _cause = causes.Count > 0 ? causes[0] : null;
        _causes = causes.Count;
        _certificates = Certificates(Live);
    }

    protected override bool ShouldRender() =>
        !_rendered || !ReferenceEquals(Live, _renderedLive) || !Equals(Summary, _renderedSummary) || !Equals(Expiry, _renderedExpiry);

    protected override void OnAfterRender(bool firstRender)
    {
        _rendered = true;
        _renderedLive = Live;
        _renderedSummary = Summary;
        _renderedExpiry = Expiry;
    }

    /// <summary>What the cluster shows of the stack's TLS Secrets: those its Ingresses name, present or missing (a missing one has
    /// no expiry to show, so the card says so); null without live state.</summary>
    public static string? Certificates(LiveStack? live)
    {
        if (live is null)
        {
            return null;
        }

        var expected = live.Observation.All<ObservedIngress>().SelectMany(i => i.TlsSecretNames).Distinct(StringComparer.Ordinal).ToList();
        var present = live.Observation.All<ObservedSecret>().Where(s => s.Type == ObservedSecret.TlsType).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        if (expected.Count == 0)
        {
            return present.Count == 0
                ? "no TLS Secret"
                : $"{present.Count} TLS Secret{(present.Count == 1 ? "" : "s")} present";
        }

        var missing = expected.Where(name => !present.Contains(name)).ToList();
        return missing.Count == 0
            ? $"{expected.Count} of {expected.Count} TLS Secrets present"
            : $"{expected.Count - missing.Count} of {expected.Count} TLS Secrets present, missing {string.Join(", ", missing)}";
    }
}

/// <summary>A stack's soonest certificate expiry on its overview card, or the sentence saying why it is not known.</summary>
public sealed record CardExpiry(CertificateExpiry? Soonest, string? Unknown)
{
    public const string NotRead = "certificate expiry not read yet";

    /// <summary>The card's expiry from the overview's one answer of the certificate service: null expiries when the overview could
    /// not ask (<paramref name="failure"/> says why).</summary>
    public static CardExpiry For(string stack, IReadOnlyDictionary<string, StackCertificateExpiries>? expiries, string? failure)
    {
        if (failure is not null)
        {
            return new(null, $"certificate expiry unknown: {failure}");
        }

        if (expiries is null)
        {
            return new(null, NotRead);
        }

        if (!expiries.TryGetValue(stack, out var known))
        {
            return new(null, "no certificate known: the stack has no TLS hostname in the cluster yet");
        }

        return known.Problem is not null ? new(null, $"certificate expiry unknown: {known.Problem}")
            : known.Soonest is { } soonest ? new(soonest, null)
            : new(null, "no TLS certificate");
    }
}
