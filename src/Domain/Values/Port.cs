using System.Globalization;
using Portal.Domain.Common;

namespace Portal.Domain.Values;

/// <summary>A TCP port, 1 to 65535.</summary>
public readonly record struct Port
{
    public const int Min = 1;
    public const int Max = 65535;

    private Port(int number) => Number = number;

    public int Number { get; }

    public static Result<Port> TryCreate(string? text)
    {
        var value = text?.Trim() ?? "";
        if (value.Length == 0)
        {
            return Errors.Fail<Port>("A port number from 1 to 65535 is needed.");
        }

        if (!value.All(char.IsAsciiDigit) || value.Length > 10)
        {
            return Errors.Fail<Port>($"{Show.QuoteStart(value)} is not a port number; a whole number from 1 to 65535 is expected.");
        }

        var number = long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
        return number is < Min or > Max
            ? Errors.Fail<Port>($"{Show.QuoteStart(value)} is out of range; a port is a number from 1 to 65535.")
            : new Port((int)number);
    }

    public static Port FromNumber(int number) =>
        number is < Min or > Max ? throw new ArgumentOutOfRangeException(nameof(number), number, "A port is 1-65535.") : new Port(number);

    public override string ToString() => Number.ToString(CultureInfo.InvariantCulture);
}
