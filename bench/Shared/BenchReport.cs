using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Portal.Bench;

/// <summary>One benchmark's section of bench/RESULTS.md: what was run, on which machine, and a table of measures. Writing it
/// replaces the section of the same title and keeps every other one.</summary>
internal sealed class BenchReport(string title, string description)
{
    private readonly List<(string Measure, string Result)> _rows = [];

    public void Add(string measure, string result)
    {
        _rows.Add((measure, result));
        Console.WriteLine($"{measure}: {result}");
    }

    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        var section = new StringBuilder();
        section.AppendLine(CultureInfo.InvariantCulture, $"## {title}");
        section.AppendLine();
        section.AppendLine(description.Trim());
        section.AppendLine();
        section.Append(Machine());
        section.AppendLine();
        section.AppendLine("| Measure | Result |");
        section.AppendLine("| --- | --- |");
        foreach (var (measure, result) in _rows)
        {
            section.AppendLine(CultureInfo.InvariantCulture, $"| {measure} | {result} |");
        }

        var existing = File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : "# Benchmark results\n\n";
        var start = existing.IndexOf($"## {title}\n", StringComparison.Ordinal);
        if (start >= 0)
        {
            var end = existing.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
            existing = existing[..start] + (end >= 0 ? existing[(end + 1)..] : "");
        }

        await File.WriteAllTextAsync(path, existing.TrimEnd() + "\n\n" + section, cancellationToken);
        Console.WriteLine($"written to {path}");
    }

    /// <summary>The machine's details as a Markdown list: date, cores, memory, OS, .NET and GC, CPU model.</summary>
    public static string Machine()
    {
        var machine = new StringBuilder();
        machine.AppendLine(CultureInfo.InvariantCulture, $"- Date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        machine.AppendLine(CultureInfo.InvariantCulture, $"- Cores: {Environment.ProcessorCount}");
        machine.AppendLine(CultureInfo.InvariantCulture, $"- Memory: {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024.0 / 1024 / 1024:N1} GiB");
        machine.AppendLine(CultureInfo.InvariantCulture, $"- OS: {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})");
        machine.AppendLine(CultureInfo.InvariantCulture, $"- .NET: {RuntimeInformation.FrameworkDescription}, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC");
        machine.AppendLine(CultureInfo.InvariantCulture, $"- CPU: {CpuModel()}");
        return machine.ToString();
    }

    private static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
