using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Portal.Provisioning.Tests.Drafts;

/// <summary>A private ACME server's directory on 127.0.0.1 over HTTPS, with its own CA (given to lego as acme-ca-certificates).</summary>
internal sealed class AcmeDirectoryServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;

    private AcmeDirectoryServer(WebApplication app, X509Certificate2 certificate, string caPem, Uri baseUrl)
    {
        _app = app;
        _certificate = certificate;
        CaPem = caPem;
        DirectoryUrl = new Uri(baseUrl, "/directory").ToString();
    }

    public string DirectoryUrl { get; }

    public string CaPem { get; }

    public static async Task<AcmeDirectoryServer> StartAsync()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Test ACME", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certificate = X509CertificateLoader.LoadPkcs12(selfSigned.Export(X509ContentType.Pfx), null);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        app.MapGet("/directory", (HttpContext context) =>
        {
            var root = $"https://{context.Request.Host}";
            return Results.Json(new Dictionary<string, string>
            {
                ["newNonce"] = $"{root}/acme/new-nonce",
                ["newAccount"] = $"{root}/acme/new-acct",
                ["newOrder"] = $"{root}/acme/new-order",
                ["revokeCert"] = $"{root}/acme/revoke-cert",
                ["keyChange"] = $"{root}/acme/key-change",
            });
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new AcmeDirectoryServer(app, certificate, certificate.ExportCertificatePem(), new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _certificate.Dispose();
    }
}
