using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Portal.Testing;

/// <summary>The built portal (<c>Portal.dll</c>) running as a child process on a free port, with an HttpClient for
/// <c>/api/v1</c> that sends the bootstrap token; killed, with its children, on dispose.</summary>
internal sealed class PortalProcess : IAsyncDisposable
{
    private const string ListeningMarker = "Now listening on: ";

    private PortalProcess(ChildProcess process, Uri baseAddress, string token)
    {
        Process = process;
        BaseAddress = baseAddress;
        Api = new HttpClient { BaseAddress = baseAddress };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public ChildProcess Process { get; }

    /// <summary>Where Kestrel listens, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Authenticated with the bootstrap token given at start.</summary>
    public HttpClient Api { get; }

    /// <summary>A fresh random bootstrap token for <c>Portal__BootstrapToken</c>.</summary>
    public static string NewToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>Starts the portal in Development on <c>http://127.0.0.1:0</c> with <paramref name="environment"/> (which
    /// should set <c>Portal__BootstrapToken</c> to <paramref name="token"/>) and waits until it listens; on
    /// <paramref name="port"/> when the caller must know the address first (a sign-in provider's redirect).</summary>
    public static async Task<PortalProcess> StartAsync(
        IReadOnlyDictionary<string, string> environment, string token, TimeSpan timeout, CancellationToken ct, int port = 0)
    {
        var process = ChildProcess.Start(
            "portal", Builds.PortalDll, ["--urls", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "--environment", "Development"], environment);
        try
        {
            var line = await process.WaitForLineAsync(l => l.Contains(ListeningMarker, StringComparison.Ordinal), timeout, ct);
            var address = new Uri(line[(line.IndexOf(ListeningMarker, StringComparison.Ordinal) + ListeningMarker.Length)..].Trim());
            return new PortalProcess(process, address, token);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL: a crash, not a shutdown.</summary>
    public Task KillAsync() => Process.KillAsync();

    public string Tail(int count = 40) => Process.Tail(count);

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await Process.DisposeAsync();
    }
}
