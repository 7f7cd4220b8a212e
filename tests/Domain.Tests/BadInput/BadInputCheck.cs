using System.Globalization;
using System.Text;
using CsCheck;
using Portal.Domain.Common;

namespace Portal.Domain.Tests.BadInput;

/// <summary>Runs the bad-input properties with CsCheck: the iteration budget (multiplied by <c>PORTAL_BADINPUT_ITER</c> for a
/// long run), the count of cases that really ran (written to the test output as <c>bad-input: N cases</c>), and the checks every
/// error message must pass.</summary>
internal static class BadInputCheck
{
    /// <summary>A message longer than this is no longer a sentence an operator reads: hostile input must be shown by length.</summary>
    public const int MaxMessageLength = 1_000;

    /// <summary>Samples <paramref name="gen"/> <paramref name="iterations"/> × <see cref="BadInputTally.Multiplier"/> times on every core; a failure is
    /// shrunk by CsCheck and reported with its seed. Writes the number of cases run to the test output and the tally.</summary>
    public static void Run<T>(string property, Gen<T> gen, Action<T> assert, long iterations, Func<T, string>? print = null)
    {
        long cases = 0;
        try
        {
            gen.Sample(
                value =>
                {
                    Interlocked.Increment(ref cases);
                    assert(value);
                },
                iter: iterations * BadInputTally.Multiplier,
                print: print ?? (v => Show(v)));
        }
        finally
        {
            Report(property, Interlocked.Read(ref cases));
        }
    }

    /// <summary>Records cases that ran outside <see cref="Run{T}"/> (a table of fixed hostile inputs).</summary>
    public static void Report(string property, long cases)
    {
        BadInputTally.Add(cases);
        TestContext.Current.TestOutputHelper?.WriteLine($"bad-input: {cases.ToString(CultureInfo.InvariantCulture)} cases ({property})");
    }

    /// <summary>Every error names its field (unless <paramref name="pathless"/>: value objects leave the path to the caller) and is one
    /// readable sentence: not empty, ending in '.' or '?', no control characters or broken Unicode, not a pasted novel.</summary>
    public static void AssertReadable(IReadOnlyList<ValidationError> errors, bool pathless = false)
    {
        Assert.NotEmpty(errors);
        foreach (var error in errors)
        {
            if (!pathless)
            {
                Assert.False(string.IsNullOrWhiteSpace(error.Path), $"An error names no field: {Show(error.Message)}");
            }

            AssertSentence(error.Message);
        }
    }

    public static void AssertSentence(string message)
    {
        Assert.False(string.IsNullOrWhiteSpace(message), "An error has no message.");
        var trimmed = message.TrimEnd();
        Assert.True(trimmed.EndsWith('.') || trimmed.EndsWith('?'), $"A message is not a sentence: {Show(message)}");
        Assert.True(message.Length <= MaxMessageLength, $"A message is {message.Length} characters long: {Show(message)}");
        Assert.True(!message.Any(char.IsControl), $"A message contains a control character: {Show(message)}");
        Assert.True(IsWellFormed(message), $"A message contains a lone surrogate: {Show(message)}");
    }

    public static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A value as a failure report shows it: control characters and surrogates escaped, long text cut with its length.</summary>
    public static string Show(object? value)
    {
        var text = value switch
        {
            null => "null",
            string s => s,
            _ => value.ToString() ?? "",
        };
        var builder = new StringBuilder();
        foreach (var c in text.Take(300))
        {
            builder.Append(char.IsControl(c) || char.IsSurrogate(c) || c is '\u202e' or '\u202d' or '\u200f' or '\u200e'
                ? $"\\u{(int)c:X4}"
                : c.ToString());
        }

        return text.Length > 300 ? $"\"{builder}…\" ({text.Length} chars)" : $"\"{builder}\"";
    }
}
