using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;
using Portal.Features.Stacks;
using Portal.Provisioning.Certificates;
using Portal.Security;

namespace Portal.Features.Certificates;

/// <summary>Uploads a manual certificate for a hostname: PEM certificate, key and optional chain, pasted or read from files, and a
/// reason. Every error the service finds is shown under its field; on success the operation's progress opens.</summary>
/// <remarks>The key is held in the circuit only until the dialog closes and is never rendered: its text area is not bound (the
/// browser keeps what was typed, the server never sends it back), it is masked as it is typed, and a key read from a file is not
/// put into the page at all.</remarks>
public sealed partial class UploadCertificateDialog
{
    /// <summary>A PEM file of a certificate, key or chain is a few KB; anything far larger is the wrong file.</summary>
    public const long FileLimit = 64 * 1024;

    private const string HostField = "host";
    private const string CertificateField = "certificate";
    private const string KeyField = "key";
    private const string ChainField = "chain";
    private const string ReasonField = "reason";

    private readonly string _keyId = $"upload-key-{Guid.NewGuid():N}";
    private readonly Dictionary<string, IReadOnlyList<string>> _errors = new(StringComparer.Ordinal);
    private List<string> _problems = [];
    private string? _certificate;
    private string? _key;
    private string? _chain;
    private string? _reason;
    private string? _keyNote;
    private int _keyVersion;
    private bool _busy;

    [CascadingParameter]
    public required IMudDialogInstance Dialog { get; set; }

    [Inject]
    public required ICertificateService Certificates { get; init; }

    [Inject]
    public required CircuitAuthorization Authorization { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Parameter, EditorRequired]
    public required string Stack { get; set; }

    [Parameter, EditorRequired]
    public required CertificateLane Lane { get; set; }

    private bool CanUpload => !_busy && Missing.Count == 0;

    private List<string> Missing =>
    [
        .. string.IsNullOrWhiteSpace(_certificate) ? ["a certificate"] : Array.Empty<string>(),
        .. string.IsNullOrWhiteSpace(_key) ? ["its key"] : Array.Empty<string>(),
        .. string.IsNullOrWhiteSpace(_reason) ? ["a reason"] : Array.Empty<string>(),
    ];

    private string Hint => Missing switch
    {
        [] => "",
        [var one] => $"Give {one} to enable the button.",
        var many => $"Give {string.Join(", ", many[..^1])} and {many[^1]} to enable the button.",
    };

    private IReadOnlyList<string> ErrorsOf(string field) => _errors.TryGetValue(field, out var errors) ? errors : [];

    private void Set(ref string? field, string? value, string name)
    {
        field = value;
        _errors.Remove(name);
    }

    private void KeyInput(ChangeEventArgs e)
    {
        _key = e.Value as string;
        _keyNote = null;
        _errors.Remove(KeyField);
    }

    // A key read from a file goes nowhere near the page: the text area is emptied (a new element) and a note says where it came from.
    private void KeyRead(string text)
    {
        _key = text;
        _keyVersion++;
        _keyNote = "Key read from the file: held for this upload and not shown.";
        _errors.Remove(KeyField);
    }

    private void FileProblem(string problem) => _problems = [problem];

    private void Cancel() => Dialog.Cancel();

    private async Task UploadAsync()
    {
        if (!CanUpload)
        {
            return;
        }

        _busy = true;
        var upload = new ManualCertificateUpload(_certificate, _key, string.IsNullOrWhiteSpace(_chain) ? null : _chain, _reason?.Trim());
        var outcome = await CertificateWrites.SendAsync(Authorization, actor =>
            Certificates.UploadAsync(Stack, Lane.Host, upload, actor, CancellationToken.None));
        _busy = false;
        _errors.Clear();
        foreach (var (field, errors) in outcome.FieldErrors)
        {
            _errors[field] = errors;
        }

        _problems = [.. outcome.Problems];
        if (outcome.OperationId is { } id)
        {
            _key = null;
            Dialog.Close(DialogResult.Ok(id));
            Navigation.NavigateTo(StackEdits.OperationUrl(id));
        }
    }

    /// <summary>Reads a picked text file for one of the fields.</summary>
    internal static async Task<string> ReadTextAsync(IBrowserFile file, long limit)
    {
        await using var stream = file.OpenReadStream(limit);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
