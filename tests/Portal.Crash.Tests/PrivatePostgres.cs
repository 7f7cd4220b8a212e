using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Portal.Testing;

namespace Portal.Crash.Tests;

/// <summary>A PostgreSQL server of the test's own (initdb into a temporary folder, its own port on 127.0.0.1, trust authentication for
/// its superuser <c>portal</c>), so that it can be stopped and started without touching the shared server other tests use. Stopped and
/// deleted on dispose.</summary>
/// <remarks>Debian's server binaries in <c>/usr/lib/postgresql/&lt;version&gt;/bin</c> (the newest); PostgreSQL refuses to run as root,
/// so as root (CI) they run as the <c>postgres</c> user through <c>runuser</c>, and the folder belongs to that user.</remarks>
internal sealed class PrivatePostgres : IAsyncDisposable
{
    private const string Superuser = "portal";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private readonly string _bin;
    private readonly DirectoryInfo _folder;
    private readonly string _data;
    private bool _running;

    private PrivatePostgres(string bin, DirectoryInfo folder, int port)
    {
        _bin = bin;
        _folder = folder;
        _data = Path.Combine(folder.FullName, "data");
        Port = port;
    }

    public int Port { get; }

    /// <summary>A superuser connection to the <c>postgres</c> database.</summary>
    public string AdminConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = Superuser,
        Database = "postgres",
    }.ConnectionString;

    private static bool IsRoot => Environment.UserName == "root";

    public static async Task<PrivatePostgres> StartAsync(CancellationToken ct)
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), CultureInfo.InvariantCulture, out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("No PostgreSQL server binaries in /usr/lib/postgresql/<version>/bin: install the Debian package postgresql.");
        }

        var folder = Directory.CreateTempSubdirectory("portal-private-pg-");
        var server = new PrivatePostgres(bin, folder, ChildProcess.FreePort());
        try
        {
            if (IsRoot && !OperatingSystem.IsWindows())
            {
                // The server's user must reach its folder: open the temporary folder to it and hand it over.
                File.SetUnixFileMode(folder.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                await RunAsync("chown", ["-R", "postgres:postgres", folder.FullName], ct);
            }

            await server.RunServerToolAsync("initdb", ["-D", server._data, "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--no-sync"], ct);
            await server.StartServerAsync(ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server again after <see cref="StopAsync"/>; returns when it accepts connections.</summary>
    public Task StartServerAsync(CancellationToken ct)
    {
        var options = string.Create(CultureInfo.InvariantCulture,
            $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={_folder.FullName} -c fsync=off -c max_connections=200");
        _running = true;
        return RunServerToolAsync("pg_ctl", ["-D", _data, "-l", Path.Combine(_folder.FullName, "server.log"), "-o", options, "-w", "-t", "60", "start"], ct);
    }

    /// <summary>Stops the server (fast shutdown: open connections are cut, as in a restart by an operator).</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        await RunServerToolAsync("pg_ctl", ["-D", _data, "-m", "fast", "-w", "-t", "60", "stop"], ct);
        _running = false;
    }

    /// <summary>The server's own log (for a failure message).</summary>
    public string Log()
    {
        var path = Path.Combine(_folder.FullName, "server.log");
        return File.Exists(path) ? string.Join("\n", File.ReadLines(path).TakeLast(30)) : "";
    }

    public async ValueTask DisposeAsync()
    {
        if (_running)
        {
            try
            {
                await RunServerToolAsync("pg_ctl", ["-D", _data, "-m", "immediate", "-w", "-t", "60", "stop"], CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                // Not running after all.
            }
        }

        TestParts.Delete(_folder);
    }

    private Task RunServerToolAsync(string tool, IReadOnlyList<string> args, CancellationToken ct) =>
        IsRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args], ct)
            : RunAsync(Path.Combine(_bin, tool), args, ct);

    private static async Task RunAsync(string program, IReadOnlyList<string> args, CancellationToken ct)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(CommandTimeout);
        await process.WaitForExitAsync(deadline.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}:\n{await output}\n{await error}");
        }
    }
}
