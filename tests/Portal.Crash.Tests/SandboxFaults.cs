using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using k8s;

namespace Portal.Crash.Tests;

/// <summary>The sandbox's fault switches, driven from outside as an operator of a test cluster would: its admin endpoint
/// (<c>/sandbox/v1/faults</c>, with the kubeconfig's address, CA and token). The portal knows nothing of it: it only sees a cluster
/// that answers errors, slowly, and cuts its watches.</summary>
internal sealed class SandboxFaults : IDisposable
{
    private readonly HttpClient _http;

    public SandboxFaults(string kubeconfig)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
        var roots = config.SslCaCerts;
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (errors == SslPolicyErrors.None)
                    {
                        return true;
                    }

                    if (certificate is null || roots is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                    return chain.Build(new X509Certificate2(certificate));
                },
            },
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri(config.Host.TrimEnd('/') + "/") };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", config.AccessToken);
    }

    /// <summary>Replaces the fault settings (see the sandbox's <c>FaultSettings</c>: camelCase JSON); answers them with the count of
    /// errors injected so far.</summary>
    public async Task<JsonNode> SetAsync(JsonObject settings, CancellationToken ct)
    {
        using var response = await _http.PutAsJsonAsync("sandbox/v1/faults", settings, ct);
        return await ReadAsync(response, ct);
    }

    /// <summary>The settings now and the errors injected since they were set.</summary>
    public async Task<JsonNode> GetAsync(CancellationToken ct)
    {
        using var response = await _http.GetAsync("sandbox/v1/faults", ct);
        return await ReadAsync(response, ct);
    }

    /// <summary>Turns every fault off.</summary>
    public async Task ClearAsync(CancellationToken ct)
    {
        using var response = await _http.DeleteAsync("sandbox/v1/faults", ct);
        await ReadAsync(response, ct);
    }

    /// <summary>Cuts every open watch now.</summary>
    public async Task DropWatchesAsync(CancellationToken ct)
    {
        using var response = await _http.PostAsync("sandbox/v1/faults/drop-watches", null, ct);
        await ReadAsync(response, ct);
    }

    public void Dispose() => _http.Dispose();

    private static async Task<JsonNode> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.IsSuccessStatusCode, $"the sandbox's fault endpoint answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }
}
