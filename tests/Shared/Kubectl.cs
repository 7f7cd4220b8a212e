using System.Diagnostics;

namespace Portal.Testing;

/// <summary>The machine's kubectl (<c>$KUBECTL</c>, else <c>kubectl</c> on PATH or in the Google Cloud SDK) run against a
/// kubeconfig file, with a discovery cache of its own: the one in <c>~/.kube</c> is shared with every other test.</summary>
internal static class Kubectl
{
    private static readonly string s_cache = Path.Combine(Path.GetTempPath(), $"portal-tests-kubectl-cache-{Environment.ProcessId}");

    public static string Binary { get; } = Environment.GetEnvironmentVariable("KUBECTL") is { Length: > 0 } configured
        ? configured
        : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/lib/google-cloud-sdk/bin")
              .Select(d => Path.Combine(d, "kubectl")).FirstOrDefault(File.Exists)
          ?? throw new InvalidOperationException("kubectl was not found on PATH (set KUBECTL to use another)");

    /// <summary>Runs <c>kubectl --kubeconfig <paramref name="kubeconfigPath"/> args</c>; killed after <paramref name="timeout"/>.</summary>
    public static async Task<(int Exit, string Out, string Err)> RunAsync(
        string kubeconfigPath, IEnumerable<string> args, TimeSpan timeout, CancellationToken ct, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(Binary)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        info.Environment["KUBECACHEDIR"] = s_cache;
        info.ArgumentList.Add("--kubeconfig");
        info.ArgumentList.Add(kubeconfigPath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {Binary}");
        process.StandardInput.Close();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish in {timeout}: {await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>As <see cref="RunAsync(string, IEnumerable{string}, TimeSpan, CancellationToken, string?)"/> with the
    /// kubeconfig's content, written to a temporary file for the run.</summary>
    public static async Task<(int Exit, string Out, string Err)> RunWithConfigAsync(string kubeconfig, IEnumerable<string> args, TimeSpan timeout, CancellationToken ct)
    {
        var path = Path.Combine(Path.GetTempPath(), $"kubectl-{Guid.NewGuid():N}.kubeconfig");
        await File.WriteAllTextAsync(path, kubeconfig, ct);
        try
        {
            return await RunAsync(path, args, timeout, ct);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
