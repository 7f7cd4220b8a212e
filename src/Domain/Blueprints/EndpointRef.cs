using System.Diagnostics.CodeAnalysis;

namespace Portal.Domain.Blueprints;

/// <summary>A component's endpoint, written <c>component:endpoint</c> (e.g. <c>airbyte:db</c>).</summary>
public readonly record struct EndpointRef(string Component, string Endpoint)
{
    public override string ToString() => $"{Component}:{Endpoint}";

    public static bool TryParse(string? text, [NotNullWhen(true)] out EndpointRef? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var parts = text.Split(':');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            return false;
        }

        value = new EndpointRef(parts[0], parts[1]);
        return true;
    }

    public static EndpointRef Parse(string text) =>
        TryParse(text, out var value) ? value.Value : throw new FormatException($"'{text}' is not of the form component:endpoint.");
}
