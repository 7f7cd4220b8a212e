using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Portal.Api;
using Portal.Features.Audit;
using Portal.Features.Deploy;
using Portal.Hosting;
using Portal.Observability;
using Portal.Provisioning;
using Portal.Provisioning.Infrastructure;
using Portal.Sandbox;
using Portal.Security;

namespace Portal;

/// <summary>The composition root: everything the portal registers, in one place.</summary>
public static class DependencyInjection
{
    public static IHostApplicationBuilder AddPortal(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PortalOptions>()
            .Bind(builder.Configuration.GetSection(PortalOptions.SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PortalOptions>, PortalOptionsValidator>();
        builder.AddProvisioning();
        var portal = builder.Configuration.GetSection(PortalOptions.SectionName).Get<PortalOptions>() ?? new PortalOptions();
        if (portal.EmbeddedSandbox)
        {
            // The embedded default's cluster: started before anything talks to clusters (hosted services start in order). Its
            // kubeconfig goes to the data directory unless Sandbox:KubeconfigPath says where.
            builder.AddSandboxCluster(o => o.KubeconfigPath = Path.Combine(DataDirectory.Resolve(portal.DataDirectory), "sandbox.kubeconfig"));
        }

        builder.Services.AddHostedService<ClusterBootstrap>();
        builder.AddPortalAuthentication();
        builder.AddPortalApi();
        builder.AddPortalObservability();
        builder.Services.AddSingleton(sp => PortalEnvironment.From(builder.Configuration, sp.GetRequiredService<ProvisioningInfo>(), sp.GetRequiredService<PortalSignIn>()));

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddDeployWizard();
        return builder;
    }

    public static WebApplication UsePortal(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
            app.UseHsts();
        }

        app.UsePortalSecurity();
        app.MapStaticAssets().AllowAnonymous();
        app.MapPortalSignIn();
        app.MapPortalApi();
        app.MapPortalObservability();
        app.MapAuditExport();
        app.MapStackExportDownload();
        app.MapRazorComponents<App>()
            // The portal's own Content-Security-Policy already says frame-ancestors 'none'; Blazor's second header would only repeat it weaker.
            .AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null)
            .AllowAnonymousFrameworkScripts();
        return app;
    }
}
