using System.Globalization;
using System.Security.Cryptography;

namespace Portal.Crash.Tests;

/// <summary>What the chaos run does, from the environment (see <c>tests/chaos</c>): how many times the portal is killed, the seed
/// every random choice comes from, and the time the whole run may take. The defaults are CI's short variant.</summary>
internal static class ChaosSettings
{
    /// <summary>SIGKILLs of the portal in the kill scenario (<c>PORTAL_CHAOS_KILLS</c>; 3 by default, the full run uses 20).</summary>
    public static int Kills { get; } = Number("PORTAL_CHAOS_KILLS", 3, 1, 200);

    /// <summary>The seed of every random choice (<c>PORTAL_CHAOS_SEED</c>; a random one, printed, when unset): the same seed makes the same
    /// choices (which operation, which secret, when to kill), though not the same timings.</summary>
    public static int Seed { get; } = Number("PORTAL_CHAOS_SEED", RandomNumberGenerator.GetInt32(1, int.MaxValue), 0, int.MaxValue);

    /// <summary>How long one scenario may run in all (<c>PORTAL_CHAOS_MINUTES</c>; by default 6 minutes plus 3 per kill): a run that
    /// needs longer fails, saying how far it got.</summary>
    public static TimeSpan Budget { get; } = TimeSpan.FromMinutes(Number("PORTAL_CHAOS_MINUTES", 6 + (3 * Kills), 1, 24 * 60));

    /// <summary>A random source for one scenario: the seed mixed with the scenario's name, so that scenarios do not share choices.</summary>
    public static Random RandomFor(string scenario)
    {
        var hash = 17;
        foreach (var c in scenario)
        {
            hash = unchecked((hash * 31) + c);
        }

        return new Random(Seed ^ hash);
    }

    private static int Number(string variable, int fallback, int min, int max)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new InvalidOperationException($"{variable} must be a whole number from {min} to {max}; it is '{text}'.");
    }
}
