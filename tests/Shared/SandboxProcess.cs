using System.Globalization;

namespace Portal.Testing;

/// <summary>The sandbox cluster as its own process (<c>Portal.Sandbox.dll</c>) on a free loopback port, writing its
/// kubeconfig and state into a folder; killed on dispose.</summary>
internal sealed class SandboxProcess : IAsyncDisposable
{
    private SandboxProcess(ChildProcess process, string kubeconfig)
    {
        Process = process;
        Kubeconfig = kubeconfig;
    }

    public ChildProcess Process { get; }

    /// <summary>The kubeconfig the sandbox wrote, for KubernetesClient, kubectl or the portal.</summary>
    public string Kubeconfig { get; }

    public static async Task<SandboxProcess> StartAsync(string folder, TimeSpan timeout, CancellationToken ct)
    {
        var kubeconfig = Path.Combine(folder, "sandbox.kubeconfig");
        var process = ChildProcess.Start("sandbox", Builds.SandboxDll,
            ["--port", ChildProcess.FreePort().ToString(CultureInfo.InvariantCulture), "--kubeconfig", kubeconfig, "--state", Path.Combine(folder, "sandbox-state.json")],
            new Dictionary<string, string>());
        try
        {
            await process.WaitForLineAsync(l => l.StartsWith("kubeconfig written to", StringComparison.Ordinal), timeout, ct);
            return File.Exists(kubeconfig)
                ? new SandboxProcess(process, kubeconfig)
                : throw new InvalidOperationException($"the sandbox did not write {kubeconfig}:\n{process.Tail()}");
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
