using Microsoft.AspNetCore.Components;
using Portal.Domain.Values;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Features.Clusters;

/// <summary>Every cluster with its reachability, server, the stacks on it and where it comes from; adding, renaming and
/// removing clusters added here (clusters from configuration are changed in configuration).</summary>
/// <remarks>Loaded on open, after each change and on refresh; reachability is asked fresh each time with a short timeout.
/// Viewers see the list; adding, renaming and removing are offered to admins and checked again when they run.</remarks>
public sealed partial class ClustersPage : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private IReadOnlyList<ClusterView>? _clusters;
    private bool _adding;
    private string? _notice;
    private ClusterView? _renaming;
    private ClusterView? _removing;
    private string? _newName;
    private string? _newNameError;
    private string? _actionFailure;
    private bool _busy;
    private bool _administers;
    private string? _refusal;

    [Inject]
    public required IClusterService Clusters { get; init; }

    [Inject]
    public required CircuitAuthorization Authorization { get; init; }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    protected override async Task OnInitializedAsync()
    {
        _administers = await Authorization.AllowsAsync(PortalPolicies.Admin);
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        _clusters = await Clusters.ListAsync(_disposed.Token);
    }

    private async Task ConnectedAsync(ClusterView cluster)
    {
        _adding = false;
        _notice = $"Cluster {cluster.Name} is connected. Its kubeconfig is stored encrypted and will not be shown again.";
        await LoadAsync();
    }

    private async Task StartAddAsync()
    {
        try
        {
            await Authorization.DemandAsync(PortalPolicies.Admin);
            _refusal = null;
            _adding = true;
        }
        catch (UnauthorizedAccessException e)
        {
            _refusal = e.Message;
        }
    }

    private void StartRename(ClusterView cluster)
    {
        CloseActions();
        _renaming = cluster;
        _newName = cluster.Name;
        _newNameError = null;
    }

    private void StartRemove(ClusterView cluster)
    {
        CloseActions();
        _removing = cluster;
    }

    private void CloseActions()
    {
        _renaming = null;
        _removing = null;
        _actionFailure = null;
        _newName = null;
        _newNameError = null;
    }

    private void NewNameChanged(string? name)
    {
        _newName = name;
        var label = DnsLabel.TryCreate(name);
        _newNameError = label.IsSuccess ? null : string.Join(" ", label.Errors.Select(e => e.Message));
        _actionFailure = null;
    }

    private async Task RenameAsync()
    {
        if (_renaming is not { } cluster)
        {
            return;
        }

        _busy = true;
        try
        {
            var actor = await Authorization.DemandAsync(PortalPolicies.Admin);
            var result = await Clusters.RenameAsync(cluster.Name, _newName, actor, _disposed.Token);
            if (!result.IsSuccess)
            {
                _actionFailure = result.Status == ServiceStatus.Invalid ? string.Join(" ", result.Errors.Select(e => e.Message)) : result.Message;
                return;
            }

            CloseActions();
            _notice = $"Cluster {cluster.Name} is now named {result.Value.Name}.";
            await LoadAsync();
        }
        catch (UnauthorizedAccessException e)
        {
            _actionFailure = e.Message;
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task RemoveAsync()
    {
        if (_removing is not { } cluster)
        {
            return;
        }

        _busy = true;
        try
        {
            var actor = await Authorization.DemandAsync(PortalPolicies.Admin);
            var result = await Clusters.RemoveAsync(cluster.Name, actor, _disposed.Token);
            if (!result.IsSuccess)
            {
                _actionFailure = result.Message;
                return;
            }

            CloseActions();
            _notice = result.Value;
            await LoadAsync();
        }
        catch (UnauthorizedAccessException e)
        {
            _actionFailure = e.Message;
        }
        finally
        {
            _busy = false;
        }
    }

    private static IReadOnlyList<string> StacksOn(ClusterView cluster) => cluster.Stacks ?? [];

    private static string Stacks(ClusterView cluster) =>
        StacksOn(cluster) is [var one] ? $"stack {one} lives" : $"stacks {string.Join(", ", StacksOn(cluster))} live";
}
