using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Portal.Testing;

/// <summary>A <c>dotnet &lt;dll&gt;</c> child process whose output is collected on background tasks; killed on dispose so
/// that no server outlives the test.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Task _stdout;
    private readonly Task _stderr;

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        _stdout = PumpAsync(process.StandardOutput);
        _stderr = PumpAsync(process.StandardError);
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>Runs <c>dotnet <paramref name="dll"/> args</c> in the dll's folder with extra environment variables.</summary>
    public static ChildProcess Start(string name, string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment) =>
        StartProgram(name, "dotnet", [dll, .. args], Path.GetDirectoryName(dll)!, environment);

    /// <summary>Runs <paramref name="program"/> (found on PATH) with <paramref name="args"/> in <paramref name="folder"/>.</summary>
    public static ChildProcess StartProgram(
        string name, string program, IEnumerable<string> args, string folder, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = folder,
            // stdin too: a child must never share the test process's stdin, through which the xunit runner may talk to it.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The test host's own settings (a test environment name, a content root) must not leak into the child.
        info.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        info.Environment.Remove("DOTNET_ENVIRONMENT");
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {name}");
        process.StandardInput.Close();
        return new ChildProcess(name, process);
    }

    /// <summary>Waits for an output line that <paramref name="match"/> accepts; fails if the process exits first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        while (true)
        {
            if (_lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} before the expected output:\n{Tail()}");
            }

            try
            {
                await Task.Delay(50, deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"{Name} did not print the expected line within {timeout}:\n{Tail()}");
            }
        }
    }

    /// <summary>Waits for the process to exit; fails with its output if it exits non-zero or takes longer than <paramref name="timeout"/>.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{Name} did not finish within {timeout}:\n{Tail()}");
        }

        await Task.WhenAll(_stdout, _stderr);
        if (_process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{Tail()}");
        }
    }

    /// <summary>SIGKILL on Linux: no shutdown hook, no flush, no lease release — a crash.</summary>
    /// <remarks>The process itself only: the portal and the sandbox start no processes of their own, and a tree kill walks
    /// every process on the machine (stopping the target first), more than a crash needs.</remarks>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
    }

    public string Tail(int count = 40) => string.Join("\n", _lines.TakeLast(count));

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        await Task.WhenAll(_stdout, _stderr);
        _process.Dispose();
    }

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            _lines.Enqueue(line);
        }
    }
}
