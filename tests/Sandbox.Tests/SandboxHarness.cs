using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using k8s;
using Microsoft.Extensions.Time.Testing;

namespace Portal.Sandbox.Tests;

/// <summary>
/// A sandbox on a manual clock plus a KubernetesClient built from its kubeconfig (the same path the portal takes).
/// Controller timing is driven by <see cref="AdvanceAsync"/>, never by sleeping.
/// </summary>
public sealed class SandboxHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private SandboxHarness(SandboxCluster cluster, FakeTimeProvider clock, Kubernetes client, string kubeconfigPath)
    {
        Cluster = cluster;
        Clock = clock;
        Client = client;
        KubeconfigPath = kubeconfigPath;
    }

    public SandboxCluster Cluster { get; }

    public FakeTimeProvider Clock { get; }

    public Kubernetes Client { get; }

    public string KubeconfigPath { get; }

    public static async Task<SandboxHarness> StartAsync(Action<SandboxOptions>? configure = null)
    {
        var clock = new FakeTimeProvider(Start);
        var options = new SandboxOptions
        {
            TimeProvider = clock,
            Seed = 42,
            Simulation = SimulationOptions.Instant(),
            BookmarkInterval = TimeSpan.FromSeconds(5),
        };
        configure?.Invoke(options);
        var cluster = await SandboxServer.StartAsync(options, TestContext.Current.CancellationToken);
        var path = Path.Combine(Path.GetTempPath(), $"sandbox-test-{Guid.NewGuid():N}.kubeconfig");
        cluster.WriteKubeconfig(path);
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        var client = new Kubernetes(config);
        var harness = new SandboxHarness(cluster, clock, client, path);
        await cluster.WaitForIdleAsync(TestContext.Current.CancellationToken);
        return harness;
    }

    /// <summary>Moves the manual clock forward, stopping at every moment the simulation scheduled something, and lets each settle.</summary>
    public async Task AdvanceAsync(TimeSpan span)
    {
        var ct = TestContext.Current.CancellationToken;
        await Cluster.WaitForIdleAsync(ct);
        var end = Clock.GetUtcNow() + span;
        while (Cluster.NextScheduledTime is { } next && next <= end)
        {
            if (next > Clock.GetUtcNow())
            {
                Clock.SetUtcNow(next);
            }

            await Cluster.WaitForIdleAsync(ct);
        }

        if (end > Clock.GetUtcNow())
        {
            Clock.SetUtcNow(end);
        }

        await Cluster.WaitForIdleAsync(ct);
    }

    public Task SettleAsync() => Cluster.WaitForIdleAsync(TestContext.Current.CancellationToken);

    /// <summary>A namespace of its own for a test.</summary>
    public async Task<string> NamespaceAsync(string prefix = "t")
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        await Client.CoreV1.CreateNamespaceAsync(new k8s.Models.V1Namespace { Metadata = new k8s.Models.V1ObjectMeta { Name = name } }, cancellationToken: TestContext.Current.CancellationToken);
        await SettleAsync();
        return name;
    }

    /// <summary>An HttpClient that trusts the sandbox CA, with or without the token: for raw wire checks.</summary>
    public HttpClient RawClient(bool withToken = true)
    {
        // Trust exactly the sandbox's own CA, as the kubeconfig does.
        var ca = X509Certificate2.CreateFromPem(Cluster.CertificateAuthorityPem);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                if (certificate is null)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            },
        };
        var http = new HttpClient(handler) { BaseAddress = Cluster.BaseUrl };
        if (withToken)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Cluster.Token);
        }

        return http;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Cluster.DisposeAsync();
        File.Delete(KubeconfigPath);
    }
}

/// <summary>Waits for a condition without sleeping on a timer: polls after each yield, bounded by a timeout.</summary>
public static class Eventually
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? because = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(20));
        T last = default!;
        while (!cts.IsCancellationRequested)
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }

            await Task.Delay(20, cts.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        throw new TimeoutException($"condition not reached{(because is null ? "" : ": " + because)}; last value {last}");
    }
}
