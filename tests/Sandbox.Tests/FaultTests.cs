using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Portal.Sandbox.Tests;

/// <summary>Every fault the sandbox can inject, switched on and off through the C# API, the admin endpoint or a request header.</summary>
public sealed class FaultTests : IAsyncLifetime
{
    private SandboxHarness _sandbox = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _sandbox = await SandboxHarness.StartAsync();

    public async ValueTask DisposeAsync() => await _sandbox.DisposeAsync();

    private Kubernetes Client => _sandbox.Client;

    private async Task<V1Pod> RunPod(string ns, string image, TimeSpan time, string? annotation = null)
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p", Annotations = annotation is null ? null : new Dictionary<string, string> { [FaultSettings.PodAnnotation] = annotation } },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = image }] },
        };
        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(time);
        return await Client.CoreV1.ReadNamespacedPodAsync("p", ns, cancellationToken: Ct);
    }

    private async Task<List<string>> Reasons(string ns) =>
        [.. (await Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "involvedObject.name=p", cancellationToken: Ct)).Items.Select(e => e.Reason)];

    [Theory]
    [InlineData("by-image")]
    [InlineData("by-annotation")]
    public async Task Image_pull_failure_shows_ErrImagePull_then_ImagePullBackOff(string how)
    {
        var ns = await _sandbox.NamespaceAsync();
        if (how == "by-image")
        {
            _sandbox.Cluster.Faults.Set(new FaultSettings { ImagePullFailureImages = ["registry.example.com/missing"] });
        }

        var pod = await RunPod(ns, "registry.example.com/missing:1.0", TimeSpan.FromSeconds(1), how == "by-annotation" ? "image-pull" : null);
        Assert.Equal("ErrImagePull", pod.Status.ContainerStatuses[0].State.Waiting.Reason);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(6));
        pod = await Client.CoreV1.ReadNamespacedPodAsync("p", ns, cancellationToken: Ct);
        Assert.Equal("ImagePullBackOff", pod.Status.ContainerStatuses[0].State.Waiting.Reason);
        Assert.Equal("Pending", pod.Status.Phase);
        var reasons = await Reasons(ns);
        Assert.Contains("Failed", reasons);
        Assert.Contains("BackOff", reasons);
        _sandbox.Cluster.Faults.Clear();
    }

    [Fact]
    public async Task Crash_loop_restarts_with_back_off_and_keeps_the_previous_logs()
    {
        var ns = await _sandbox.NamespaceAsync();
        _sandbox.Cluster.Faults.Set(new FaultSettings { CrashLoopImages = ["crashy"] });
        var pod = await RunPod(ns, "crashy:1", TimeSpan.FromSeconds(4));
        var status = pod.Status.ContainerStatuses[0];
        Assert.Equal("CrashLoopBackOff", status.State.Waiting.Reason);
        Assert.Equal(1, status.RestartCount);
        Assert.Equal(1, status.LastState.Terminated.ExitCode);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(60));
        pod = await Client.CoreV1.ReadNamespacedPodAsync("p", ns, cancellationToken: Ct);
        Assert.True(pod.Status.ContainerStatuses[0].RestartCount >= 3);
        Assert.Contains("BackOff", await Reasons(ns));
        using var previous = new StreamReader(await Client.CoreV1.ReadNamespacedPodLogAsync("p", ns, previous: true, cancellationToken: Ct));
        Assert.Contains("ERROR", await previous.ReadToEndAsync(Ct), StringComparison.Ordinal);
        _sandbox.Cluster.Faults.Clear();
    }

    [Fact]
    public async Task Never_ready_containers_run_and_report_Unhealthy()
    {
        var ns = await _sandbox.NamespaceAsync();
        var pod = await RunPod(ns, "nginx:1.25", TimeSpan.FromSeconds(30), "never-ready");
        Assert.Equal("Running", pod.Status.Phase);
        Assert.False(pod.Status.ContainerStatuses[0].Ready);
        var unhealthy = (await Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "reason=Unhealthy", cancellationToken: Ct)).Items.Single();
        Assert.True(unhealthy.Count >= 2);
    }

    [Fact]
    public async Task A_failing_job_by_name_fails()
    {
        var ns = await _sandbox.NamespaceAsync();
        _sandbox.Cluster.Faults.Set(new FaultSettings { FailingJobs = ["doomed"] });
        var job = new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "doomed" },
            Spec = new V1JobSpec { BackoffLimit = 0, Template = new V1PodTemplateSpec { Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "c", Image = "busybox:1" }] } } },
        };
        await Client.BatchV1.CreateNamespacedJobAsync(job, ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(20));
        var read = await Client.BatchV1.ReadNamespacedJobAsync("doomed", ns, cancellationToken: Ct);
        Assert.Contains(read.Status.Conditions, c => c.Type == "Failed" && c.Status == "True");
        _sandbox.Cluster.Faults.Clear();
    }

    [Theory]
    [InlineData(500, "InternalError")]
    [InlineData(503, "ServiceUnavailable")]
    [InlineData(429, "TooManyRequests")]
    public async Task Api_errors_are_injected_at_the_configured_rate_within_the_budget(int code, string reason)
    {
        _sandbox.Cluster.Faults.Set(new FaultSettings { ApiErrorRate = 1, ApiErrorCodes = [code], ApiErrorBudget = 2 });
        for (var i = 0; i < 2; i++)
        {
            var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ListNamespaceAsync(cancellationToken: Ct));
            Assert.Equal((HttpStatusCode)code, error.Response.StatusCode);
            Assert.Equal(reason, (string?)JsonNode.Parse(error.Response.Content)!["reason"]);
            if (code is 429 or 503)
            {
                Assert.True(error.Response.Headers.ContainsKey("Retry-After"));
            }
        }

        // The budget is spent: requests succeed again, and discovery was never affected.
        await Client.CoreV1.ListNamespaceAsync(cancellationToken: Ct);
        Assert.Equal(2, _sandbox.Cluster.Faults.ErrorsInjected);
        _sandbox.Cluster.Faults.Clear();
    }

    [Fact]
    public async Task A_partial_error_rate_fails_some_requests_but_not_all()
    {
        _sandbox.Cluster.Faults.Set(new FaultSettings { ApiErrorRate = 0.5, ApiErrorBudget = 1000 });
        var failures = 0;
        for (var i = 0; i < 40; i++)
        {
            try
            {
                await Client.CoreV1.ListNamespaceAsync(cancellationToken: Ct);
            }
            catch (HttpOperationException)
            {
                failures++;
            }
        }

        _sandbox.Cluster.Faults.Clear();
        Assert.InRange(failures, 5, 35);
    }

    [Fact]
    public async Task Latency_is_added_to_requests()
    {
        _sandbox.Cluster.Faults.Set(new FaultSettings { ApiLatency = TimeSpan.FromMilliseconds(300) });
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await Client.CoreV1.ListNamespaceAsync(cancellationToken: Ct);
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        _sandbox.Cluster.Faults.Clear();
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(290), $"took {elapsed}");
    }

    [Fact]
    public async Task A_request_header_injects_a_fault_for_that_request_only()
    {
        using var http = _sandbox.RawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces");
        request.Headers.Add("X-Sandbox-Fault", "status=503");
        var response = await http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/namespaces", Ct)).StatusCode);
    }

    [Fact]
    public async Task Watch_streams_are_dropped_after_the_configured_number_of_events()
    {
        var ns = await _sandbox.NamespaceAsync();
        _sandbox.Cluster.Faults.Set(new FaultSettings { DropWatchAfterEvents = 2, DropWatchBudget = 1 });
        var start = _sandbox.Cluster.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < 5; i++)
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"c{i}" } }, ns, cancellationToken: Ct);
        }

        var seen = 0;
        var dropped = await Record.ExceptionAsync(async () =>
        {
            await foreach (var _ in Client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: start, cancellationToken: Ct))
            {
                seen++;
                if (seen == 5)
                {
                    break;
                }
            }
        });
        Assert.True(seen < 5, $"the stream delivered {seen} events");
        _ = dropped;

        // The budget is spent: a new watch delivers everything.
        var again = 0;
        await foreach (var _ in Client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: start, cancellationToken: Ct))
        {
            if (++again == 5)
            {
                break;
            }
        }

        Assert.Equal(5, again);
        _sandbox.Cluster.Faults.Clear();
    }

    [Fact]
    public async Task Drop_watches_ends_every_open_watch()
    {
        var ns = await _sandbox.NamespaceAsync();
        var watching = Task.Run(async () =>
        {
            try
            {
                await foreach (var _ in Client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: "1", cancellationToken: Ct))
                {
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                // A cut stream may surface as an I/O error: what matters is that the watch ended.
            }
        }, Ct);
        while (_sandbox.Cluster.OpenWatches == 0)
        {
            await Task.Yield();
        }

        using var http = _sandbox.RawClient();
        var response = await http.PostAsync("/sandbox/v1/faults/drop-watches", null, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await watching.WaitAsync(TimeSpan.FromSeconds(20), Ct);
    }

    [Fact]
    public async Task The_admin_endpoint_sets_reads_and_clears_faults_and_needs_the_token()
    {
        using var anonymous = _sandbox.RawClient(withToken: false);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/sandbox/v1/faults", Ct)).StatusCode);
        using var http = _sandbox.RawClient();
        var set = await http.PutAsJsonAsync("/sandbox/v1/faults", new { crashLoopImages = new[] { "bad:1" }, apiErrorRate = 0.0 }, Ct);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(["bad:1"], _sandbox.Cluster.Faults.Settings.CrashLoopImages);
        var read = JsonNode.Parse(await http.GetStringAsync("/sandbox/v1/faults", Ct))!;
        Assert.Equal("bad:1", (string?)read["crashLoopImages"]![0]);
        await http.DeleteAsync("/sandbox/v1/faults", Ct);
        Assert.Empty(_sandbox.Cluster.Faults.Settings.CrashLoopImages);
    }
}
