using Portal.Provisioning.Live;
using Portal.Provisioning.Tests.Live;

namespace Portal.Provisioning.Tests.Telemetry;

/// <summary>The watch lag gauge's source: each kind of a cluster's cache knows when it last heard the cluster (a list, an event, a
/// bookmark), and the lag counts from the kind heard least recently.</summary>
public sealed class WatchLagTests
{
    [Fact]
    public async Task A_synced_cache_has_heard_every_kind_and_an_event_moves_its_kind_forward()
    {
        await using var live = await LiveSandbox.StartAsync();
        await live.WaitForSyncAsync();
        var synced = live.Cache.Status();
        Assert.NotNull(synced.WatchingSince);
        Assert.All(synced.Kinds, k => Assert.True(k.LastHeardAt >= synced.WatchingSince, $"{k.Kind} was never heard"));

        var before = live.Kind("ConfigMap").LastHeardAt!.Value;
        var ns = await live.CreateNamespaceAsync("lag");
        await live.CreateConfigMapAsync(ns, "lag", LiveSandbox.Labels("lag", "airbyte"));
        await live.WaitUntilAsync(() => live.CachedConfigMaps(ns).ContainsKey("lag"), "the ConfigMap is cached");

        Assert.True(live.Kind("ConfigMap").LastHeardAt > before);
    }

    [Fact]
    public void The_lag_counts_from_the_kind_heard_least_recently_and_from_the_start_for_a_kind_never_heard()
    {
        var start = new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
        var now = start.AddMinutes(10);
        LiveKindStatus Kind(string name, DateTimeOffset? heard) => new(name, heard is not null, 0, null, null, null, null, 1, 1, 0, 0, "1") { LastHeardAt = heard };
        LiveClusterStatus Cluster(params LiveKindStatus[] kinds) => new("c", true, null, 0, 0, kinds) { WatchingSince = start };

        Assert.Equal(TimeSpan.FromMinutes(3), Cluster(Kind("Pod", now.AddSeconds(-5)), Kind("Secret", now.AddMinutes(-3))).Lag(now));
        Assert.Equal(TimeSpan.FromMinutes(10), Cluster(Kind("Pod", now.AddSeconds(-5)), Kind("Event", null)).Lag(now));
        Assert.Null((Cluster(Kind("Pod", now)) with { WatchingSince = null }).Lag(now));
    }
}
