using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Portal.Live.Bench;

/// <summary>The portal's memory and CPU, read from outside the process: RSS and CPU time from /proc, the GC heap after a full
/// blocking GC that an EventPipe session induces (as dotnet-gcdump does), so the portal exposes nothing new.</summary>
internal sealed class ProcessMeter(int pid)
{
    private static readonly TimeSpan GcTimeout = TimeSpan.FromSeconds(60);

    public int Pid { get; } = pid;

    /// <summary>Resident set size (VmRSS) in bytes.</summary>
    public long Rss()
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                // "VmRSS:    123456 kB"
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/{Pid}/status has no VmRSS");
    }

    /// <summary>User + system CPU time of the whole process so far.</summary>
    public TimeSpan CpuTime()
    {
        using var process = Process.GetProcessById(Pid);
        return process.TotalProcessorTime;
    }

    /// <summary>CPU used over <paramref name="window"/>, as a share of one core (1.0 = one core busy the whole time).</summary>
    public async Task<double> CpuShareAsync(TimeSpan window, CancellationToken ct)
    {
        var before = CpuTime();
        var clock = Stopwatch.StartNew();
        await Task.Delay(window, ct);
        var used = CpuTime() - before;
        return used / clock.Elapsed;
    }

    /// <summary>Induces a full blocking GC in the portal and returns its GC heap right after it (generations 0–2, LOH and POH),
    /// then the RSS.</summary>
    public async Task<Memory> AfterFullGcAsync(CancellationToken ct)
    {
        var client = new DiagnosticsClient(Pid);
        var keywords = (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHeapCollect);
        using var session = client.StartEventPipeSession(
            [new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, keywords)], requestRundown: false);
        using var source = new EventPipeEventSource(session.EventStream);
        var heap = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var induced = false;
        source.Clr.GCStart += e =>
        {
            // The GC the session asked for: induced, blocking, of every generation.
            if (e.Depth == 2 && e.Reason is GCReason.Induced or GCReason.InducedNotForced or GCReason.InducedCompacting)
            {
                induced = true;
            }
        };
        source.Clr.GCHeapStats += e =>
        {
            if (induced)
            {
                heap.TrySetResult(e.TotalHeapSize);
            }
        };
        var processing = Task.Run(source.Process, CancellationToken.None);
        try
        {
            return new Memory(await heap.Task.WaitAsync(GcTimeout, ct), Rss());
        }
        finally
        {
            await session.StopAsync(CancellationToken.None);
            await processing;
        }
    }

    /// <summary>The portal's memory at one moment.</summary>
    public sealed record Memory(long GcHeap, long Rss)
    {
        public override string ToString() => $"GC heap {Mb(GcHeap)}, RSS {Mb(Rss)}";
    }

    public static string Mb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024:N1} MB");

    public static string Kb(double bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:N0} KB");
}
