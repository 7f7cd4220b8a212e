using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Provisioning.Secrets;
using Portal.Security;

namespace Portal.Features.Secrets;

/// <summary>What the dialogs on one secret share: the dialog they are in, the stack and the secret, the secret service and the
/// circuit's authorization (each write is checked again there).</summary>
public abstract class SecretDialogBase : ComponentBase
{
    [CascadingParameter]
    public required IMudDialogInstance Dialog { get; set; }

    [Inject]
    public required ISecretService Secrets { get; init; }

    [Inject]
    public required CircuitAuthorization Authorization { get; init; }

    [Parameter, EditorRequired]
    public required string Stack { get; set; }

    [Parameter, EditorRequired]
    public required SecretView Secret { get; set; }
}
