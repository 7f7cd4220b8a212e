using System.Globalization;
using Microsoft.AspNetCore.Components;
using Portal.Provisioning.Certificates;

namespace Portal.Features.Certificates;

/// <summary>One hostname's certificate lane: every fact an operator reads, and the writes the lane allows with the reason when
/// one is not offered (role, manual or external source, nothing kept to roll back to).</summary>
public sealed partial class CertificateLaneView
{
    [Parameter, EditorRequired]
    public required CertificateLane Lane { get; set; }

    /// <summary>Whether the signed-in user may change certificates (the Operator role).</summary>
    [Parameter]
    public bool Operates { get; set; }

    [Parameter, EditorRequired]
    public required DateTimeOffset Now { get; set; }

    /// <summary>Why the last action on the lane was refused, if it was.</summary>
    [Parameter]
    public string? Refusal { get; set; }

    [Parameter]
    public EventCallback OnRotate { get; set; }

    [Parameter]
    public EventCallback OnRollback { get; set; }

    [Parameter]
    public EventCallback OnUpload { get; set; }

    private string BandWord => Lane.Live is { } live ? CertificateStyles.Word(live.Band) : "none";

    private string? RotateRefusal => CertificateStyles.RotateRefusal(Lane, Operates);

    private string? RollbackRefusal => CertificateStyles.RollbackRefusal(Lane, Operates);

    private string? UploadRefusal => CertificateStyles.UploadRefusal(Lane, Operates);

    private static string FailuresText(int failures) =>
        failures == 1 ? "1 failure" : $"{failures.ToString(CultureInfo.InvariantCulture)} failures in a row";
}
