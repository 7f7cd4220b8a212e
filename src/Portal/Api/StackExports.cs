using System.Text;
using Portal.Api.Infrastructure;
using Portal.Domain.Common;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Api;

/// <summary>A stack downloaded as Kubernetes YAML or a Juju bundle: <c>GET /api/v1/stacks/{name}/export/{format}</c> for API
/// callers, and the same at <c>/stacks/{name}/export/{format}</c> for the signed-in browser (the stack's Export menu), since
/// <c>/api/v1</c> takes bearer tokens only.</summary>
internal static class StackExports
{
    /// <summary>The browser's route: cookie sign-in, the Viewer role.</summary>
    public const string BrowserPattern = "/stacks/{name}/export/{format}";

    /// <summary>The formats and the file name each downloads as.</summary>
    private static readonly Dictionary<string, (StackExportFormat Format, string File)> s_formats = new(StringComparer.Ordinal)
    {
        ["kubernetes"] = (StackExportFormat.Kubernetes, "kubernetes.yaml"),
        ["juju-bundle"] = (StackExportFormat.JujuBundle, "bundle.yaml"),
    };

    /// <summary>Where the browser downloads stack <paramref name="stack"/> in <paramref name="format"/>.</summary>
    public static string BrowserUrl(string stack, string format) => $"/stacks/{Uri.EscapeDataString(stack)}/export/{format}";

    public static IEndpointConventionBuilder MapStackExportDownload(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(BrowserPattern, DownloadAsync)
            .WithName("DownloadStackExport")
            .RequireAuthorization(PortalPolicies.Viewer)
            .AddEndpointFilter<UrlTextFilter>()
            .ExcludeFromDescription();

    /// <summary>400 naming the formats for an unknown one, 404 for an unknown stack, else the file as an attachment.</summary>
    public static async Task<IResult> DownloadAsync(string name, string format, IStackService service, CancellationToken ct)
    {
        if (!s_formats.TryGetValue(format, out var export))
        {
            return ApiResults.Invalid([new ValidationError("format", $"'{format}' is not an export format; use {string.Join(" or ", s_formats.Keys)}.")]);
        }

        var result = await service.ExportAsync(name, export.Format, ct);
        return result.IsSuccess
            ? Results.File(Encoding.UTF8.GetBytes(result.Value), "application/yaml", $"{name}-{export.File}")
            : ApiResults.Failure(result);
    }
}
