using System.Globalization;
using Portal.Domain.Common;

namespace Portal.Api.Infrastructure;

/// <summary>Refuses a request whose route values or query parameters carry a control character (<c>%00</c>, <c>%0A</c>…) with a 400
/// naming them, before any endpoint looks the text up.</summary>
/// <remarks>No name, id, host or filter of the API has one, so such a request can only miss; but PostgreSQL cannot even compare
/// text with a NUL in it, and the failed lookup would be a 500.</remarks>
internal sealed class UrlTextFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        var errors = new ErrorList();
        foreach (var (name, value) in request.RouteValues)
        {
            Check(name, value as string, "address", errors);
        }

        foreach (var (name, values) in request.Query)
        {
            foreach (var value in values)
            {
                Check(name, value, "query", errors);
            }
        }

        return errors.Count > 0 ? ApiResults.Invalid(errors) : await next(context);
    }

    private static void Check(string name, string? value, string where, ErrorList errors)
    {
        var at = value?.AsSpan().IndexOfAnyInRange('\0', '\u001f') ?? -1;
        if (at < 0 && value is not null)
        {
            at = value.AsSpan().IndexOfAnyInRange('\u007f', '\u009f');
        }

        if (at >= 0)
        {
            errors.Add(name, $"The {name} in the {where} has a control character (U+{(int)value![at]:X4}) at position {(at + 1).ToString(CultureInfo.InvariantCulture)}; none is allowed there.");
        }
    }
}
