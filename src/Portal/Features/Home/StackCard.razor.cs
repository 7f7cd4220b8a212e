using Microsoft.AspNetCore.Components;
using Portal.Domain.Status;
using Portal.Domain.Status.Observation;
using Portal.Provisioning.Live;
using Portal.Provisioning.Stacks;
using Portal.Shared.Status;

namespace Portal.Features.Home;

/// <summary>One stack on the overview: live status with counts, the first root cause, where it runs, its running or last
/// operation, and what is known of its certificates.</summary>
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
    private string _certificates = "";

    [Parameter, EditorRequired]
    public required string Name { get; set; }

    /// <summary>The stored stack (where, operations); null when only the live state knows it.</summary>
    [Parameter]
    public StackSummary? Summary { get; set; }

    /// <summary>The live state; null until the cluster's watch has it.</summary>
    [Parameter]
    public LiveStack? Live { get; set; }

    [Parameter, EditorRequired]
    public required DateTimeOffset Now { get; set; }

    private OperationSummary? Operation => Summary?.ActiveOperation ?? Summary?.LastOperation;

    protected override void OnParametersSet()
    {
        if (_rendered && ReferenceEquals(Live, _renderedLive) && Equals(Summary, _renderedSummary))
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

    protected override bool ShouldRender() => !_rendered || !ReferenceEquals(Live, _renderedLive) || !Equals(Summary, _renderedSummary);

    protected override void OnAfterRender(bool firstRender)
    {
        _rendered = true;
        _renderedLive = Live;
        _renderedSummary = Summary;
    }

    /// <summary>What the cluster shows of the stack's certificates: the TLS Secrets its Ingresses name, present or not. The portal
    /// has no certificate inventory yet, so it says so rather than guess an expiry date.</summary>
    public static string Certificates(LiveStack? live)
    {
        if (live is null)
        {
            return "no certificate data yet";
        }

        var expected = live.Observation.All<ObservedIngress>().SelectMany(i => i.TlsSecretNames).Distinct(StringComparer.Ordinal).ToList();
        var present = live.Observation.All<ObservedSecret>().Where(s => s.Type == ObservedSecret.TlsType).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        const string Expiry = "expiry: no certificate data yet";
        if (expected.Count == 0)
        {
            return present.Count == 0
                ? $"no TLS Secret; {Expiry}"
                : $"{present.Count} TLS Secret{(present.Count == 1 ? "" : "s")} present; {Expiry}";
        }

        var missing = expected.Where(name => !present.Contains(name)).ToList();
        return missing.Count == 0
            ? $"{expected.Count} of {expected.Count} TLS Secrets present; {Expiry}"
            : $"{expected.Count - missing.Count} of {expected.Count} TLS Secrets present, missing {string.Join(", ", missing)}; {Expiry}";
    }
}
