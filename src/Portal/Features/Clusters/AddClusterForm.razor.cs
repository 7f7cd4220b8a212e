using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Portal.Domain.Values;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Features.Clusters;

/// <summary>Adds a cluster: a name, a kubeconfig pasted or uploaded, a context picked from it, every problem listed as the
/// operator types, a connection test (server version and permissions), then connect.</summary>
/// <remarks>The kubeconfig lives in this component only until it is connected or the form is cancelled; it is then
/// dropped and never shown again. Testing and connecting need an admin, checked when they run (the test reaches the
/// cluster with the pasted credentials).</remarks>
public sealed partial class AddClusterForm : IDisposable
{
    /// <summary>Larger than any kubeconfig; the service explains anything over its own limit.</summary>
    private const long UploadLimit = 512 * 1024;

    private readonly CancellationTokenSource _disposed = new();
    private string? _name;
    private string? _nameError;
    private string? _kubeconfig;
    private string? _uploaded;
    private string? _context;
    private KubeconfigInspection? _inspection;
    private List<string> _serviceErrors = [];
    private ClusterTestResult? _test;
    private string? _failure;
    private bool _busy;
    private string? _busyText;

    [Inject]
    public required IClusterService Clusters { get; init; }

    [Inject]
    public required CircuitAuthorization Authorization { get; init; }

    /// <summary>Called with the new cluster once it is connected.</summary>
    [Parameter, EditorRequired]
    public EventCallback<ClusterView> OnConnected { get; set; }

    [Parameter]
    public EventCallback OnCancel { get; set; }

    /// <summary>Every problem to show: the kubeconfig's and its selected context's, then what the service refused.</summary>
    private IReadOnlyList<string> Problems =>
        (_inspection?.Errors.Select(e => e.Message) ?? []).Concat(_serviceErrors).Distinct(StringComparer.Ordinal).ToList();

    private bool CanTest => _inspection is { IsValid: true } && _serviceErrors.Count == 0;

    private bool CanConnect => CanTest && _nameError is null && !string.IsNullOrWhiteSpace(_name);

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    private void NameChanged(string? name)
    {
        _name = name;
        var label = DnsLabel.TryCreate(name);
        _nameError = label.IsSuccess ? null : string.Join(" ", label.Errors.Select(e => e.Message));
        _failure = null;
    }

    private void KubeconfigChanged(string? kubeconfig)
    {
        _kubeconfig = kubeconfig;
        _uploaded = null;
        Inspect(context: null);
    }

    private void ContextChanged(string? context) => Inspect(context);

    /// <summary>Reads the kubeconfig again with the context asked for (none: the kubeconfig's own choice).</summary>
    private void Inspect(string? context)
    {
        _test = null;
        _failure = null;
        _serviceErrors = [];
        if (string.IsNullOrWhiteSpace(_kubeconfig))
        {
            _inspection = null;
            _context = null;
            return;
        }

        _inspection = Clusters.InspectKubeconfig(_kubeconfig, context);
        _context = _inspection.Selected ?? context;
    }

    private async Task UploadAsync(IBrowserFile? file)
    {
        if (file is null)
        {
            return;
        }

        try
        {
            await using var stream = file.OpenReadStream(UploadLimit, _disposed.Token);
            using var reader = new StreamReader(stream);
            KubeconfigChanged(await reader.ReadToEndAsync(_disposed.Token));
            _uploaded = file.Name;
        }
        catch (IOException)
        {
            // Thrown by the browser file stream when the file is over the limit.
            _inspection = null;
            _serviceErrors = [$"The file {file.Name} is {file.Size / 1024} KB; a kubeconfig is a few KB, so this is not the right file."];
        }
    }

    private async Task TestAsync()
    {
        await RunAsync("Asking the cluster for its version and the portal's permissions…", async () =>
        {
            await Authorization.DemandAsync(PortalPolicies.Admin);
            var result = await Clusters.TestAsync(_kubeconfig, _context, _disposed.Token);
            if (result.IsSuccess)
            {
                _test = result.Value;
            }
            else
            {
                ShowFailure(result.Status, result.Message, result.Errors.Select(e => e.Message));
            }
        });
    }

    private async Task ConnectAsync()
    {
        await RunAsync("Connecting…", async () =>
        {
            var actor = await Authorization.DemandAsync(PortalPolicies.Admin);
            var result = await Clusters.ConnectAsync(_name, _kubeconfig, _context, actor, _disposed.Token);
            if (!result.IsSuccess)
            {
                ShowFailure(result.Status, result.Message, result.Errors.Select(e => e.Message));
                return;
            }

            Clear();
            await OnConnected.InvokeAsync(result.Value);
        });
    }

    private async Task CancelAsync()
    {
        Clear();
        await OnCancel.InvokeAsync();
    }

    private async Task RunAsync(string what, Func<Task> action)
    {
        _busy = true;
        _busyText = what;
        _failure = null;
        try
        {
            await action();
        }
        catch (UnauthorizedAccessException e)
        {
            _failure = e.Message;
        }
        finally
        {
            _busy = false;
            _busyText = null;
        }
    }

    private void ShowFailure(ServiceStatus status, string message, IEnumerable<string> errors)
    {
        if (status == ServiceStatus.Invalid)
        {
            _serviceErrors = errors.ToList();
        }
        else
        {
            _failure = message;
        }
    }

    /// <summary>Drops everything typed, the kubeconfig first.</summary>
    private void Clear()
    {
        _kubeconfig = null;
        _uploaded = null;
        _inspection = null;
        _context = null;
        _name = null;
        _nameError = null;
        _test = null;
        _serviceErrors = [];
    }

    private static List<string> Verbs(ClusterTestResult test) =>
        test.Permissions.Select(p => p.Verb).Distinct(StringComparer.Ordinal).ToList();
}
