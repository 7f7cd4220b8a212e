namespace Portal.Crash.Tests;

/// <summary>What the chaos scenarios print: progress as it happens (diagnostic messages, shown with the runner's <c>-diagnostics</c>: if
/// the test process ever dies, the last line says where) and one summary line per scenario, prefixed <c>chaos summary</c>, which
/// <c>tests/chaos</c> collects (and appends to the file <c>PORTAL_CHAOS_SUMMARY</c> names, when set).</summary>
internal static class ChaosLog
{
    public const string SummaryPrefix = "chaos summary";

    private static readonly Lock s_gate = new();

    public static void Trace(string scenario, string message) =>
        TestContext.Current.SendDiagnosticMessage($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} [{scenario}] {message}");

    public static void Summary(string scenario, string message)
    {
        var line = $"{SummaryPrefix} [{scenario}] seed={ChaosSettings.Seed} {message}";
        TestContext.Current.SendDiagnosticMessage(line);
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        if (Environment.GetEnvironmentVariable("PORTAL_CHAOS_SUMMARY") is { Length: > 0 } file)
        {
            lock (s_gate)
            {
                File.AppendAllLines(file, [line]);
            }
        }
    }
}
