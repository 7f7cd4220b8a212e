namespace Portal.Sandbox;

/// <summary>How a sandbox cluster is started: where it listens, how it authenticates and how its simulation behaves.</summary>
public sealed class SandboxOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Bearer token clients must send; a random one when null.</summary>
    public string? Token { get; set; }

    /// <summary>
    /// Serve HTTPS with a CA of its own (written into the kubeconfig) rather than plain HTTP. On by default because
    /// kubectl (client-go) never sends a bearer token over plain HTTP, so an HTTP sandbox is usable by
    /// KubernetesClient only.
    /// </summary>
    public bool UseHttps { get; set; } = true;

    /// <summary>Where to keep a JSON snapshot so the cluster survives a restart; none when null.</summary>
    public string? StateFile { get; set; }

    /// <summary>Delay between a change and the snapshot write (changes in between are written together).</summary>
    public TimeSpan StateFileDebounce { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The clock every controller, timestamp and delay uses; tests pass a manual one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Seed for uids, name suffixes and fault sampling, for runs that repeat exactly; random when null.</summary>
    public int? Seed { get; set; }

    /// <summary>How many changes the watch history keeps; a watch from an older resourceVersion gets 410 Expired.</summary>
    public int WatchHistorySize { get; set; } = 10_000;

    /// <summary>How often a watch that asked for bookmarks receives one.</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Events a slow watcher may fall behind before its stream is closed (as the real server does).</summary>
    public int WatchBufferSize { get; set; } = 100_000;

    /// <summary>Kubernetes version /version reports (google-cloud-cli's kubectl dispatcher picks its binary from it).</summary>
    public string KubernetesVersion { get; set; } = "1.31.0";

    /// <summary>Whether the simulated controllers run (turned off, the sandbox is a plain API server and store).</summary>
    public bool RunControllers { get; set; } = true;

    /// <summary>Delays and behaviour of the simulated controllers and kubelet.</summary>
    public SimulationOptions Simulation { get; set; } = new();

    /// <summary>
    /// What the token may not do, as "verb resource[.group]" ("delete secrets", "patch deployments.apps", "get pods/log",
    /// "* configmaps"): such requests get 403 Forbidden and the access reviews answer "no". Empty means everything is allowed.
    /// </summary>
    public IReadOnlyList<string> DeniedAccess { get; set; } = [];

    /// <summary>Faults active from the start (they can be changed at any time through the handle or the admin endpoint).</summary>
    public FaultSettings Faults { get; set; } = new();

    /// <summary>Where the sandbox logs (controller errors, start-up); nothing when null.</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; set; }
}

/// <summary>Timings of the simulated control plane; defaults make a deploy look alive in real time.</summary>
public sealed class SimulationOptions
{
    /// <summary>From pod creation to PodScheduled.</summary>
    public TimeSpan SchedulingDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Time to "pull" an image (between Pulling and Pulled).</summary>
    public TimeSpan ImagePullDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>From container start to Ready (when the container has a readiness probe, else immediate).</summary>
    public TimeSpan ReadinessDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a pod of a Job (or any pod with restartPolicy Never/OnFailure) runs before it exits.</summary>
    public TimeSpan JobRunDuration { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a crash-looping container runs before it exits with an error.</summary>
    public TimeSpan CrashRunDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>First restart back-off of a crash loop; it doubles per restart up to <see cref="CrashBackoffLimit"/>.</summary>
    public TimeSpan CrashBackoff { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan CrashBackoffLimit { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Interval of Unhealthy events for a container that never becomes ready.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Interval of the heartbeat line each running container logs; none when null.</summary>
    public TimeSpan? LogHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Time a terminating pod takes to go away.</summary>
    public TimeSpan PodTerminationDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>From PVC creation (or first consumer) to Bound.</summary>
    public TimeSpan VolumeBindDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Address Ingresses and LoadBalancer Services receive; null reproduces bare metal (never an address).</summary>
    public string? LoadBalancerAddress { get; set; } = "127.0.0.1";

    /// <summary>Port on <see cref="LoadBalancerAddress"/> where the simulated ingress controller serves TLS (the certificate of
    /// the Secret an Ingress names for the SNI hostname); 0 picks a free port, null serves nothing. Ingresses with TLS list it in
    /// <c>status.loadBalancer.ingress[].ports</c>.</summary>
    public int? IngressTlsPort { get; set; } = 0;

    /// <summary>Delay before an Ingress or LoadBalancer Service gets its address.</summary>
    public TimeSpan LoadBalancerDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Name of the single simulated node.</summary>
    public string NodeName { get; set; } = "sandbox-node";

    /// <summary>A preset where everything happens on the next tick: for tests driving a manual clock.</summary>
    public static SimulationOptions Instant() => new()
    {
        SchedulingDelay = TimeSpan.Zero,
        ImagePullDelay = TimeSpan.FromSeconds(1),
        ReadinessDelay = TimeSpan.FromSeconds(1),
        JobRunDuration = TimeSpan.FromSeconds(3),
        CrashRunDuration = TimeSpan.FromSeconds(2),
        PodTerminationDelay = TimeSpan.Zero,
        VolumeBindDelay = TimeSpan.Zero,
        LoadBalancerDelay = TimeSpan.FromSeconds(1),
        LogHeartbeatInterval = null,
    };
}

/// <summary>
/// Faults the sandbox injects, for tests and demos. Every fault is bounded (rates, budgets, caps) and an empty
/// <see cref="FaultSettings"/> turns them all off.
/// </summary>
public sealed record FaultSettings
{
    /// <summary>Pods using one of these images fail to pull it (ErrImagePull, then ImagePullBackOff). A trailing '*' matches a prefix.</summary>
    public IReadOnlyList<string> ImagePullFailureImages { get; init; } = [];

    /// <summary>Containers with one of these images crash after starting, over and over (CrashLoopBackOff).</summary>
    public IReadOnlyList<string> CrashLoopImages { get; init; } = [];

    /// <summary>Containers with one of these images run but never pass readiness (Unhealthy events).</summary>
    public IReadOnlyList<string> NeverReadyImages { get; init; } = [];

    /// <summary>Jobs with one of these names (or whose pods use one of these images) fail.</summary>
    public IReadOnlyList<string> FailingJobs { get; init; } = [];

    /// <summary>Fraction (0–1) of API requests on resources answered with an error instead.</summary>
    public double ApiErrorRate { get; init; }

    /// <summary>Status codes the injected errors use, picked in turn (500, 503 and 429 are the useful ones).</summary>
    public IReadOnlyList<int> ApiErrorCodes { get; init; } = [503];

    /// <summary>At most this many errors are injected; then the rate stops applying.</summary>
    public int ApiErrorBudget { get; init; } = 100;

    /// <summary>Latency added to every API request on resources (capped at 30 s).</summary>
    public TimeSpan ApiLatency { get; init; }

    /// <summary>Watch streams are cut after delivering this many events; none when null.</summary>
    public int? DropWatchAfterEvents { get; init; }

    /// <summary>At most this many watch streams are cut by <see cref="DropWatchAfterEvents"/>.</summary>
    public int DropWatchBudget { get; init; } = 100;

    /// <summary>Annotation on a pod (or pod template) selecting a fault for it: image-pull, crash-loop, never-ready or job-fail.</summary>
    public const string PodAnnotation = "sandbox.portal.airbyte.io/fault";
}
