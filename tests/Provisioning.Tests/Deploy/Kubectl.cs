using System.Diagnostics;

namespace Portal.Provisioning.Tests.Deploy;

/// <summary>Runs the machine's kubectl against a kubeconfig, to read back what the portal wrote the way an operator would.</summary>
internal static class Kubectl
{
    public static async Task<(int Exit, string Out, string Err)> RunAsync(string kubeconfig, string arguments)
    {
        var binary = Environment.GetEnvironmentVariable("KUBECTL") is { Length: > 0 } configured
            ? configured
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/lib/google-cloud-sdk/bin")
                .Select(d => Path.Combine(d, "kubectl")).FirstOrDefault(File.Exists)
              ?? throw new InvalidOperationException("kubectl was not found on PATH: the deploy test reads objects back with it");
        var path = Path.Combine(Path.GetTempPath(), $"steps-{Guid.NewGuid():N}.kubeconfig");
        await File.WriteAllTextAsync(path, kubeconfig);
        try
        {
            var start = new ProcessStartInfo(binary, $"--kubeconfig {path} {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["KUBECACHEDIR"] = Path.Combine(Path.GetTempPath(), "steps-kubectl-cache");
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            cts.CancelAfter(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"kubectl {arguments} did not finish: {await error}");
            }

            return (process.ExitCode, await output, await error);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
