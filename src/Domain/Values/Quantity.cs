using System.Globalization;
using Portal.Domain.Common;

namespace Portal.Domain.Values;

/// <summary>A Kubernetes resource quantity: a number with an optional suffix, binary (<c>Ki Mi Gi Ti Pi Ei</c>),
/// decimal (<c>n u m k M G T P E</c>) or an exponent (<c>1e3</c>), e.g. <c>500m</c>, <c>1.5</c>, <c>512Mi</c>, <c>10G</c>.</summary>
/// <remarks>The text is kept as written (Kubernetes canonicalises it itself); <see cref="Amount"/> is the value in base
/// units (cores or bytes) for comparisons such as request ≤ limit.</remarks>
public sealed record Quantity
{
    private const string Examples = "500m, 1, 1.5, 512Mi, 1Gi or 10G";

    private static readonly Dictionary<string, decimal> Suffixes = new(StringComparer.Ordinal)
    {
        [""] = 1m,
        ["n"] = 0.000_000_001m,
        ["u"] = 0.000_001m,
        ["m"] = 0.001m,
        ["k"] = 1e3m,
        ["M"] = 1e6m,
        ["G"] = 1e9m,
        ["T"] = 1e12m,
        ["P"] = 1e15m,
        ["E"] = 1e18m,
        ["Ki"] = 1024m,
        ["Mi"] = 1024m * 1024,
        ["Gi"] = 1024m * 1024 * 1024,
        ["Ti"] = 1024m * 1024 * 1024 * 1024,
        ["Pi"] = 1024m * 1024 * 1024 * 1024 * 1024,
        ["Ei"] = 1024m * 1024 * 1024 * 1024 * 1024 * 1024,
    };

    private Quantity(string value, decimal amount, string suffix)
    {
        Value = value;
        Amount = amount;
        Suffix = suffix;
    }

    /// <summary>The quantity as written, e.g. <c>512Mi</c>.</summary>
    public string Value { get; }

    /// <summary>The amount in base units: <c>512Mi</c> is 536870912, <c>500m</c> is 0.5.</summary>
    public decimal Amount { get; }

    /// <summary>The suffix as written: <c>Mi</c>, <c>m</c>, <c>e3</c> or empty.</summary>
    public string Suffix { get; }

    /// <param name="allowZero">Whether <c>0</c> is meaningful here (a volume of size zero is not).</param>
    public static Result<Quantity> TryCreate(string? text, bool allowZero = false)
    {
        var value = text?.Trim() ?? "";
        if (value.Length == 0)
        {
            return Errors.Fail<Quantity>($"A quantity is needed, such as {Examples}.");
        }

        var quoted = Show.QuoteStart(value);
        if (value.StartsWith('-'))
        {
            return Errors.Fail<Quantity>($"{quoted} is negative; a resource quantity must not be.");
        }

        var i = value.StartsWith('+') ? 1 : 0;
        var numberStart = i;
        while (i < value.Length && (char.IsAsciiDigit(value[i]) || value[i] == '.'))
        {
            i++;
        }

        var number = value[numberStart..i];
        var suffix = value[i..];
        if (number.Length == 0 || !number.Any(char.IsAsciiDigit) || number.Count(c => c == '.') > 1 || number.Length > 24)
        {
            return Errors.Fail<Quantity>($"{quoted} is not a quantity; use a number with an optional suffix, such as {Examples}.");
        }

        if (!TryMultiplier(suffix, out var multiplier, out var exponentTooLarge))
        {
            if (exponentTooLarge)
            {
                return Errors.Fail<Quantity>($"{quoted} has an exponent out of range.");
            }

            var hint = BytesHint(number, suffix);
            return Errors.Fail<Quantity>(
                $"{quoted} has an unknown suffix {Show.Quote(suffix)}; use Ki, Mi, Gi, Ti, Pi, Ei, m, k, M, G, T, P, E or an exponent such as e3.{hint}");
        }

        decimal amount;
        try
        {
            amount = decimal.Parse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) * multiplier;
        }
        catch (OverflowException)
        {
            return Errors.Fail<Quantity>($"{quoted} is too large.");
        }

        if (amount == 0 && !allowZero)
        {
            return Errors.Fail<Quantity>($"{quoted} is zero; a quantity larger than zero is needed here.");
        }

        return new Quantity(value, amount, suffix);
    }

    public override string ToString() => Value;

    /// <summary>Byte units as people write them elsewhere (<c>1GB</c>, <c>512MiB</c>) with the Kubernetes spelling.</summary>
    private static string BytesHint(string number, string suffix)
    {
        var upper = suffix.ToUpperInvariant();
        if (upper.Length == 3 && upper[1] == 'I' && upper[2] == 'B' && "KMGTPE".Contains(upper[0], StringComparison.Ordinal))
        {
            return $" Did you mean {number}{upper[0]}i?";
        }

        if (upper.Length == 2 && upper[1] == 'B' && "KMGTPE".Contains(upper[0], StringComparison.Ordinal))
        {
            var decimalSuffix = upper[0] == 'K' ? "k" : upper[..1];
            return $" For bytes write {number}{upper[0]}i (powers of 1024) or {number}{decimalSuffix} (powers of 1000).";
        }

        return "";
    }

    private static bool TryMultiplier(string suffix, out decimal multiplier, out bool exponentTooLarge)
    {
        exponentTooLarge = false;
        if (Suffixes.TryGetValue(suffix, out multiplier))
        {
            return true;
        }

        if (suffix.Length >= 2 && suffix[0] is 'e' or 'E')
        {
            var exponentText = suffix[1..];
            var digits = exponentText.TrimStart('+', '-');
            if (digits.Length > 0 && digits.All(char.IsAsciiDigit) && exponentText.Length - digits.Length <= 1)
            {
                if (digits.Length > 2 || int.Parse(digits, CultureInfo.InvariantCulture) > 18)
                {
                    exponentTooLarge = true;
                    return false;
                }

                var exponent = int.Parse(exponentText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                multiplier = 1m;
                for (var k = 0; k < Math.Abs(exponent); k++)
                {
                    multiplier = exponent > 0 ? multiplier * 10 : multiplier / 10;
                }

                return true;
            }
        }

        return false;
    }
}
