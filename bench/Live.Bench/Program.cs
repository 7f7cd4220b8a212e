using System.Globalization;
using k8s;
using Microsoft.Playwright;
using Portal.Bench;
using Portal.Live.Bench;
using Portal.Sandbox;
using Portal.Testing;

// Live benchmark: what it costs the portal to keep the topology live, measured on a Release build of the portal run as its own
// process (SQLite, in-memory Hangfire) against an in-process sandbox cluster, with Debian's Chromium driven by Playwright.
// 1. Change-to-screen latency: changes made through the Kubernetes API against the moment the topology page's DOM shows them.
// 2. Fan-out: many open topology pages (circuits) receiving updates — server CPU and memory per circuit.
// 3. Scale: 1, 10, 100 stacks in one cluster — memory, watch-cache CPU, topology and overview render time.
// Usage: dotnet run -c Release --project bench/Live.Bench [-- --changes 200 --pages 50 --stacks 1,10,100 --steady 60 --rate 5
//        --renders 5 --out bench/RESULTS.md]; a quick run: -- --changes 20 --pages 10 --stacks 1,10 --steady 15
var changes = 200;
var pages = 50;
int[] stages = [1, 10, 100];
var steady = TimeSpan.FromSeconds(60);
var rate = 5.0;
var renders = 5;
var output = Path.Combine("bench", "RESULTS.md");
for (var i = 0; i < args.Length - 1; i += 2)
{
    var value = args[i + 1];
    switch (args[i])
    {
        case "--changes": changes = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--pages": pages = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--stacks": stages = [.. value.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Order()]; break;
        case "--steady": steady = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)); break;
        case "--rate": rate = double.Parse(value, CultureInfo.InvariantCulture); break;
        case "--renders": renders = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--out": output = value; break;
        default: throw new ArgumentException($"unknown option {args[i]}");
    }
}

using var stop = new CancellationTokenSource(TimeSpan.FromHours(2));
var ct = stop.Token;
var loadBefore = LoadAverage();
var work = Directory.CreateTempSubdirectory("portal-live-bench-");
await using var cluster = await SandboxServer.StartAsync(new SandboxOptions(), ct);
var kubeconfig = cluster.WriteKubeconfig(Path.Combine(work.FullName, "sandbox.kubeconfig"));
using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));

var token = PortalProcess.NewToken();
await using var portal = await PortalProcess.StartAsync(new Dictionary<string, string>
{
    // SQLite and in-memory Hangfire (no connection string), so the development sign-in is on; the cluster is the sandbox above.
    ["ConnectionStrings__Portal"] = "",
    ["Portal__EmbeddedSandbox"] = "false",
    ["Portal__Clusters__0__Name"] = "bench",
    ["Portal__Clusters__0__Kubeconfig"] = kubeconfig,
    ["Portal__BootstrapToken"] = token,
    ["Portal__DataDirectory"] = Path.Combine(work.FullName, "portal-data"),
    ["Logging__LogLevel__Default"] = "Warning",
    ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
}, token, TimeSpan.FromMinutes(2), ct);
var meter = new ProcessMeter(portal.Process.Id);
var stacks = new BenchStacks(portal.Api, client, "bench");
var report = new List<(string Measure, string Result)>();
void Report(string measure, string result)
{
    report.Add((measure, result));
    Console.WriteLine($"== {measure}: {result}");
}

Console.WriteLine($"portal pid {meter.Pid} at {portal.BaseAddress}; deploying the first stack");
var firstDeploy = await stacks.DeployUpToAsync(1, ct);
Console.WriteLine($"deployed {stacks.Names[0]} in {firstDeploy.TotalSeconds:N1} s");
var stack = stacks.Names[0];
await using var browser = await BenchBrowser.StartAsync(portal.BaseAddress);

// 1. Change-to-screen latency, on one topology page.
{
    var page = await browser.Context.NewPageAsync();
    await page.GotoAsync($"/stacks/{stack}");
    await page.Locator("[data-testid='stack-status'][data-status='active']").WaitForAsync();
    var latency = new ChangeLatency(stacks, page, stack);
    var skewBefore = await latency.ClockSkewAsync();
    Console.WriteLine($"change-to-screen latency over {changes} changes (browser clock − bench clock: {skewBefore.Skew:N2} ± {skewBefore.Uncertainty:N2} ms)");
    var results = await latency.RunAsync(changes, ct);
    var skewAfter = await latency.ClockSkewAsync();
    var shown = results.Where(r => r.LatencyMs is not null).Select(r => r.LatencyMs!.Value).ToList();
    Report($"Change-to-screen latency ({changes} changes)", shown.Count == 0 ? "none shown" : Percentiles(shown));
    foreach (var kind in results.GroupBy(r => r.Kind))
    {
        var ofKind = kind.Where(r => r.LatencyMs is not null).Select(r => r.LatencyMs!.Value).ToList();
        Report($"… {kind.Key} of {kind.First().Node} ({kind.Count()})", ofKind.Count == 0 ? "none shown" : Percentiles(ofKind));
    }

    Report("Changes missed (not shown within 20 s)", $"{results.Count(r => r.LatencyMs is null)} of {results.Count}");
    Report("Changes that did not settle within 90 s", $"{results.Count(r => !r.Settled)} of {results.Count}");
    Report("Browser clock − bench clock (before, after)", F($"{skewBefore.Skew:N2} ms, {skewAfter.Skew:N2} ms (± {Math.Max(skewBefore.Uncertainty, skewAfter.Uncertainty):N2} ms)"));
    await page.CloseAsync();
}

// 2. Many open topology pages on the stack, every tick reaching every one of them.
{
    var deployments = (await stacks.DeploymentsAsync(stack, ct)).Keys.Order(StringComparer.Ordinal).Select(d => (stack, d)).ToList();
    await using var ticker = new Ticker(stacks, deployments, rate);
    ticker.Start();
    await Task.Delay(TimeSpan.FromSeconds(5), ct);
    var idleMemory = await meter.AfterFullGcAsync(ct);
    var idleWindow = ticker.Window();
    var idleCpu = await meter.CpuShareAsync(steady, ct);
    var idleRate = idleWindow.Reached();
    Console.WriteLine(F($"no page open, {rate} updates/s ({idleRate} reached): {idleMemory}, CPU {idleCpu:P1} of a core"));

    var open = new List<IPage>();
    for (var i = 0; i < pages; i++)
    {
        var page = await browser.Context.NewPageAsync();
        await page.GotoAsync($"/stacks/{stack}");
        await page.Locator("[data-testid^='node-'][data-status]").First.WaitForAsync();
        open.Add(page);
        if ((i + 1) % 10 == 0)
        {
            Console.WriteLine($"  {i + 1} pages open");
        }
    }

    await Task.Delay(TimeSpan.FromSeconds(10), ct);
    var openMemory = await meter.AfterFullGcAsync(ct);
    var openWindow = ticker.Window();
    var openCpu = await meter.CpuShareAsync(steady, ct);
    var openRate = openWindow.Reached();
    // Every page must still be live: each shows the latest tick's pulse or at least its nodes.
    var live = 0;
    foreach (var page in open)
    {
        live += await page.Locator("[data-testid^='node-'][data-status]").CountAsync() > 0 ? 1 : 0;
    }

    Console.WriteLine(F($"{pages} pages open ({live} showing the diagram), {rate} updates/s ({openRate} reached): {openMemory}, CPU {openCpu:P1} of a core"));
    foreach (var page in open)
    {
        await page.CloseAsync(new PageCloseOptions { RunBeforeUnload = true });
    }

    await Task.Delay(TimeSpan.FromSeconds(10), ct);
    var closedMemory = await meter.AfterFullGcAsync(ct);
    Console.WriteLine($"pages closed: {closedMemory}");
    Report($"Portal with no page open, {rate:N0} updates/s to the stack", F($"{idleMemory}; CPU {idleCpu:P1} of a core; updates reached: {idleRate}"));
    Report($"Portal with {pages} topology pages of the stack open", F($"{openMemory}; CPU {openCpu:P1} of a core; updates reached: {openRate}"));
    Report("Memory per open topology page (circuit)", F($"GC heap {ProcessMeter.Kb((openMemory.GcHeap - idleMemory.GcHeap) / (double)pages)}, RSS {ProcessMeter.Kb((openMemory.Rss - idleMemory.Rss) / (double)pages)}"));
    Report("CPU per open topology page (circuit)", F($"{(openCpu - idleCpu) / pages * 1000:N1} ms per second ({(openCpu - idleCpu) / pages:P2} of a core), {openWindow.PerSecond:N1} updates/s each"));
    Report($"After closing the {pages} pages (10 s later)", F($"{closedMemory} (GC heap {ProcessMeter.Mb(closedMemory.GcHeap - idleMemory.GcHeap)} above no page open)"));
}

// 3. Scale: the stacks deployed through the portal, all at once per stage.
var components = 0;
foreach (var target in stages)
{
    Console.WriteLine($"stage {target} stack(s)");
    if (target > stacks.Names.Count)
    {
        var added = target - stacks.Names.Count;
        var took = await stacks.DeployUpToAsync(target, ct);
        Console.WriteLine($"deployed {added} more stack(s) concurrently in {took.TotalSeconds:N0} s");
        Report($"{target} stacks: {added} more deployed concurrently through the API", F($"{took.TotalSeconds:N0} s"));
    }

    await Task.Delay(TimeSpan.FromSeconds(15), ct);
    var counts = await stacks.CountAsync(ct);
    var memory = await meter.AfterFullGcAsync(ct);
    var idleCpu = await meter.CpuShareAsync(steady / 2, ct);
    var targets = new List<(string, string)>();
    foreach (var name in stacks.Names)
    {
        targets.AddRange((await stacks.DeploymentsAsync(name, ct)).Keys.Order(StringComparer.Ordinal).Take(2).Select(d => (name, d)));
    }

    double busyCpu;
    string busyRate;
    await using (var ticker = new Ticker(stacks, targets, rate))
    {
        ticker.Start();
        await Task.Delay(TimeSpan.FromSeconds(5), ct);
        var window = ticker.Window();
        busyCpu = await meter.CpuShareAsync(steady, ct);
        busyRate = window.Reached();
    }

    Console.WriteLine(F($"{target} stacks ({counts.Pods} pods, {counts.Deployments} Deployments, {counts.StatefulSets} StatefulSets, {counts.Services} Services, {counts.Secrets} Secrets): {memory}; CPU idle {idleCpu:P1}, with {rate} updates/s {busyCpu:P1} of a core"));

    var page = await browser.Context.NewPageAsync();
    if (components == 0)
    {
        await page.GotoAsync($"/stacks/{stack}");
        await page.Locator("[data-testid='stack-status']").WaitForAsync();
        components = await page.Locator("[data-testid^='node-']").CountAsync();
    }

    var topology = new List<double>();
    var overview = new List<double>();
    for (var i = 0; i <= renders; i++)
    {
        var t = await BenchBrowser.TimeToAsync(page, $"/stacks/{stack}", $"document.querySelectorAll(\"[data-testid^='node-'][data-status]\").length >= {components}");
        var o = await BenchBrowser.TimeToAsync(page, "/", $"document.querySelectorAll(\"[data-testid^='stack-card-']\").length >= {target}");
        // The first of each is a warm-up (JIT of the page's code paths, first render of the stage's data).
        if (i > 0)
        {
            topology.Add(t);
            overview.Add(o);
        }
    }

    await page.CloseAsync(new PageCloseOptions { RunBeforeUnload = true });
    Console.WriteLine(F($"topology page {Median(topology):N0} ms, overview {Median(overview):N0} ms"));
    Report($"{target} stacks: objects in the cluster", F($"{counts.Pods} pods, {counts.Deployments} Deployments, {counts.StatefulSets} StatefulSets, {counts.Services} Services, {counts.Secrets} Secrets"));
    Report($"{target} stacks: portal memory after a full GC", memory.ToString());
    Report($"{target} stacks: portal CPU, idle / with {rate:N0} updates/s", F($"{idleCpu:P1} / {busyCpu:P1} of a core (updates reached: {busyRate})"));
    Report($"{target} stacks: topology page, navigation to diagram shown (median of {renders})", F($"{Median(topology):N0} ms ({topology.Min():N0}–{topology.Max():N0})"));
    Report($"{target} stacks: overview, navigation to every card shown (median of {renders})", F($"{Median(overview):N0} ms ({overview.Min():N0}–{overview.Max():N0})"));
}

Report("Machine load (1-minute average) at start / end", $"{loadBefore} / {LoadAverage()}");
var section = new BenchReport("Live", $"""
    `dotnet run -c Release --project bench/Live.Bench` (this run: `--changes {changes} --pages {pages} --stacks {string.Join(',', stages)}
    --steady {steady.TotalSeconds:N0} --rate {rate:N0} --renders {renders}`) — the portal (a Release build run as its own process, SQLite,
    in-memory Hangfire) watching an in-process sandbox cluster; headless Debian Chromium through Playwright, signed in through
    the development sign-in. Stacks are the charmed-airbyte blueprint (PostgreSQL in-cluster), deployed through
    `POST /api/v1/stacks`; a stage's new stacks are all posted at once and deploy concurrently. That is the honest fast way
    to many stacks: each is a real deploy (its Secrets, database Jobs, certificates, every object created by the portal),
    and the portal watches exactly what it made; applying `/manifests` with kubectl would still need a registered stack
    (only a deploy registers one) and would skip the relation Jobs and Secrets, so the cluster would hold less than real stacks.

    Change-to-screen: with `/stacks/{"{name}"}` open, a change is made through the Kubernetes API (cycling: scale a
    Deployment of one component up; put the sandbox's `crash-loop` fault annotation on another component's pod template;
    take it off — each changes the node's status; the scale-down back to one replica is made untimed, since a node that
    stays active with the same message shows nothing) and a MutationObserver in the page stamps the first change of that node's `data-status` or
    message with `performance.timeOrigin + performance.now()`, compared with the wall clock just before the API call (same
    machine; the measured skew between the two clocks is listed). The next change waits until the node has settled on its
    expected status and the page has been quiet for 300 ms. The latency includes the sandbox's own reaction (the
    simulated controllers write status after the spec changes), the portal's watch, its evaluation batching (≤ 100 ms),
    the SignalR push and the browser's DOM update.

    Updates flowing: a metadata annotation written on Deployments in turn at {rate:N0} writes/s (each a watch event that
    changes one component's objects, so it is evaluated and published, and every page of that stack renders it); the writes
    are sequential, so under load they can fall behind, and the rate reached in each CPU window is listed with it. CPU is
    the portal process's CPU time over {steady.TotalSeconds:N0} s (idle: {steady.TotalSeconds / 2:N0} s without writes); memory is the GC heap right after a
    full blocking GC induced from outside through an EventPipe session (as dotnet-gcdump does; nothing is added to the
    portal) and the RSS from /proc. Per page: ({pages} pages of the stack open in one browser context) minus (none
    open), divided by {pages}. Render times are measured by the browser: from navigation start to the first frame in which
    every node of the diagram shows a status (topology) or every stack's card is there (overview); the portal prerenders
    nothing, so this includes starting the circuit. The machine is shared with other work (2 cores): see the load averages.
    """);
foreach (var (measure, result) in report)
{
    section.Add(measure, result);
}

await section.WriteAsync(output, ct);

try
{
    work.Delete(recursive: true);
}
catch (IOException)
{
    // A temp folder left behind is harmless.
}

static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

// Nearest-rank percentiles.
static string Percentiles(List<double> values)
{
    var sorted = values.Order().ToList();
    double At(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    return F($"p50 {At(0.50):N0} ms, p95 {At(0.95):N0} ms, p99 {At(0.99):N0} ms, max {sorted[^1]:N0} ms");
}

static string LoadAverage()
{
    try
    {
        return File.ReadAllText("/proc/loadavg").Split(' ')[0];
    }
    catch (IOException)
    {
        return "unknown";
    }
}
