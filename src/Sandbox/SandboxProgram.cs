using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Portal.Sandbox;

/// <summary>
/// The standalone sandbox: <c>dotnet run --project src/Sandbox -- --port 6443 --kubeconfig sandbox.kubeconfig
/// [--state sandbox-state.json] [--token T] [--http] [--bare-metal] [--seed N]</c>. Runs until Ctrl+C.
/// </summary>
internal static class SandboxProgram
{
    public static async Task<int> Main(string[] args)
    {
        var options = new SandboxOptions { Port = 6443 };
        var kubeconfig = "sandbox.kubeconfig";
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--port":
                    options.Port = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--kubeconfig":
                    kubeconfig = Value();
                    break;
                case "--state":
                    options.StateFile = Value();
                    break;
                case "--token":
                    options.Token = Value();
                    break;
                case "--http":
                    options.UseHttps = false;
                    break;
                case "--bare-metal":
                    options.Simulation.LoadBalancerAddress = null;
                    break;
                case "--seed":
                    options.Seed = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--kubernetes-version":
                    options.KubernetesVersion = Value().TrimStart('v');
                    break;
                case "--help" or "-h":
                    await Console.Out.WriteLineAsync("usage: Portal.Sandbox [--port 6443] [--kubeconfig FILE] [--state FILE] [--token T] [--http] [--bare-metal] [--seed N] [--kubernetes-version 1.31.0]");
                    return 0;
                default:
                    await Console.Error.WriteLineAsync($"unknown argument {args[i]} (try --help)");
                    return 2;
            }
        }

        using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
        options.LoggerFactory = loggerFactory;
        await using var cluster = await SandboxServer.StartAsync(options);
        var path = cluster.WriteKubeconfig(kubeconfig);
        await Console.Out.WriteLineAsync($"Sandbox cluster at {cluster.BaseUrl}");
        await Console.Out.WriteLineAsync($"kubeconfig written to {path}: kubectl --kubeconfig {path} get pods -A");
        var stop = new TaskCompletionSource();
        void OnSignal(PosixSignalContext signal)
        {
            signal.Cancel = true;
            stop.TrySetResult();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        await stop.Task;
        await Console.Out.WriteLineAsync("Sandbox cluster stopping");
        return 0;
    }
}
