using MudBlazor;
using Portal.Features.Shared;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Features.Secrets;

/// <summary>A stack's secrets, one card each: owner, consumers, where it lives, revision and fingerprint (never the value), rotation
/// policy and when it next rotates, and the ledger's workloads still on an older revision; operators rotate, roll back and set the
/// policy from here.</summary>
/// <remarks>Read as every <see cref="PolledStackPage{TData}"/> reads: on open, on Refresh and every few seconds, the last
/// inventory kept under a banner when the cluster does not answer.</remarks>
public sealed partial class SecretsPage : PolledStackPage<StackSecretInventory>
{
    private readonly Dictionary<string, IReadOnlyList<string>> _policyErrors = new(StringComparer.Ordinal);
    private string? _savingPolicy;

    [Microsoft.AspNetCore.Components.Inject]
    public required ISecretService Secrets { get; init; }

    private List<SecretView> StaleSecrets => Data?.Secrets.Where(s => s.Stale.Count > 0).ToList() ?? [];

    private string StaleHeadline
    {
        get
        {
            var workloads = StaleSecrets.SelectMany(s => s.Stale).Select(w => w.Workload).Distinct(StringComparer.Ordinal).Count();
            return workloads == 1
                ? "1 workload still runs an older revision of a secret."
                : $"{workloads} workloads still run an older revision of a secret.";
        }
    }

    protected override Task<ServiceResult<StackSecretInventory>> ReadAsync(string name, CancellationToken cancellationToken) =>
        Secrets.ListAsync(name, cancellationToken);

    protected override void OnStackChanged() => _policyErrors.Clear();

    private async Task SetPolicyAsync(SecretView secret, RotationPolicy policy)
    {
        _savingPolicy = secret.Id;
        try
        {
            var actor = await Authorization.DemandAsync(PortalPolicies.Operator);
            var result = await Secrets.SetPolicyAsync(Name, secret.Id, SecretStyles.Word(policy), actor, Disposed);
            if (result.IsSuccess)
            {
                _policyErrors.Remove(secret.Id);
                Replace(result.Value);
            }
            else
            {
                _policyErrors[secret.Id] = result.Errors.Count > 0 ? [.. result.Errors.Select(e => e.Message)] : [result.Message];
            }
        }
        catch (UnauthorizedAccessException e)
        {
            _policyErrors[secret.Id] = [e.Message];
        }
        finally
        {
            _savingPolicy = null;
        }
    }

    private void Replace(SecretView changed)
    {
        if (Data is { } inventory)
        {
            Data = inventory with { Secrets = [.. inventory.Secrets.Select(s => s.Id == changed.Id ? changed : s)] };
        }
    }

    private Task RotateAsync(SecretView secret) => WhenAllowedAsync(secret.Id, () =>
        Dialogs.ShowAsync<RotateSecretDialog>($"Rotate {secret.Name}", Parameters(secret), DialogOptions));

    private Task RollbackAsync(SecretView secret) => WhenAllowedAsync(secret.Id, () =>
        Dialogs.ShowAsync<RollbackSecretDialog>($"Roll back {secret.Name}", Parameters(secret), DialogOptions));

    // Whatever the dialog ended with, the inventory is read again: a revealed secret is revealable no more.
    private Task RevealAsync(SecretView secret) => WhenAllowedAsync(secret.Id, async () =>
    {
        var dialog = await Dialogs.ShowAsync<RevealSecretDialog>($"Reveal {secret.Name} once", Parameters(secret), DialogOptions);
        await dialog.Result;
        await LoadAsync();
    });

    private DialogParameters Parameters(SecretView secret) => new() { { "Stack", Name }, { "Secret", secret } };
}
