using System.Globalization;

[assembly: AssemblyFixture(typeof(Portal.Domain.Tests.BadInput.BadInputTally))]

namespace Portal.Domain.Tests.BadInput;

/// <summary>The number of bad-input cases this test assembly ran; at the end it appends <c>bad-input: N cases</c> to the file named
/// by <c>PORTAL_BADINPUT_REPORT</c>, when set, so that a CI run can add up both test assemblies (this file is linked into the API
/// tests) for the README.</summary>
public sealed class BadInputTally : IDisposable
{
    /// <summary>The environment variable that multiplies every property's iterations (e.g. 20 for a long run); 1 when unset.</summary>
    public const string MultiplierVariable = "PORTAL_BADINPUT_ITER";

    private static long s_cases;
    private static long s_properties;

    public static long Multiplier { get; } =
        long.TryParse(Environment.GetEnvironmentVariable(MultiplierVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m > 0 ? m : 1;

    public static void Add(long cases)
    {
        Interlocked.Add(ref s_cases, cases);
        Interlocked.Increment(ref s_properties);
    }

    public void Dispose()
    {
        var cases = Interlocked.Read(ref s_cases);
        if (cases == 0 || Environment.GetEnvironmentVariable("PORTAL_BADINPUT_REPORT") is not { Length: > 0 } path)
        {
            return;
        }

        File.AppendAllText(path, string.Create(CultureInfo.InvariantCulture,
            $"bad-input: {cases} cases in {Interlocked.Read(ref s_properties)} properties ({typeof(BadInputTally).Assembly.GetName().Name}, iterations ×{Multiplier})\n"));
    }
}
