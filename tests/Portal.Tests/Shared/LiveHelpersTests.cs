using System.Threading.Channels;
using Portal.Domain.Catalog;
using Portal.Domain.Status.Observation;
using Portal.Provisioning.Live;
using Portal.Shared;
using Portal.Shared.Live;
using Portal.Shared.Topology;
using Portal.Tests.Fakes;

namespace Portal.Tests.Shared;

public class LiveHelpersTests
{
    private static readonly DateTimeOffset T0 = StackWorld.Now;

    [Fact]
    public void Merge_keeps_the_last_snapshot_of_each_stack_and_every_change()
    {
        var prod = StackWorld.Healthy("prod");
        var staging = StackWorld.Healthy("staging");
        var first = prod.Snapshot();
        var second = prod.Snapshot();
        var other = staging.Snapshot();

        var merged = LiveFeed.Merge(
        [
            new LiveUpdate(first, new HashSet<string> { "airbyte" }, new HashSet<string>(), IsInitial: false),
            new LiveUpdate(other, new HashSet<string> { "minio" }, new HashSet<string>(), IsInitial: false),
            new LiveUpdate(second, new HashSet<string> { "temporal" }, new HashSet<string> { "r" }, IsInitial: false),
        ]);

        Assert.Equal(2, merged.Count);
        var p = merged.Single(u => u.Stack.Stack == "prod");
        Assert.Same(second, p.Stack);
        Assert.Equal(["airbyte", "temporal"], p.ChangedComponents.Order());
        Assert.Equal(["r"], p.ChangedRelations);
        Assert.Equal(["minio"], merged.Single(u => u.Stack.Stack == "staging").ChangedComponents);
    }

    [Fact]
    public async Task A_feed_hands_over_what_waits_as_one_batch_and_disposing_it_unsubscribes()
    {
        var live = new FakeLiveStacks();
        var world = StackWorld.Healthy();
        live.Seed(world.Snapshot());
        var batches = Channel.CreateUnbounded<IReadOnlyList<LiveUpdate>>();
        var gate = new TaskCompletionSource();
        var cancel = Xunit.TestContext.Current.CancellationToken;

        var feed = LiveFeed.Start(live, "prod", async batch =>
        {
            await batches.Writer.WriteAsync(batch, cancel);
            await gate.Task;
        }, _ => Task.CompletedTask);
        var initial = await batches.Reader.ReadAsync(cancel).AsTask().WaitAsync(TimeSpan.FromSeconds(10), cancel);
        // While the first batch is being applied, two updates queue up; they come as one batch.
        live.Publish(world.Snapshot(), ["airbyte"]);
        live.Publish(world.Snapshot(), ["temporal"]);
        gate.SetResult();
        var next = await batches.Reader.ReadAsync(cancel).AsTask().WaitAsync(TimeSpan.FromSeconds(10), cancel);

        Assert.True(initial.Single().IsInitial);
        Assert.Equal(2, next.Count);
        await feed.DisposeAsync();
        Assert.Equal(0, live.OpenSubscriptions);
    }

    [Fact]
    public async Task A_failure_while_applying_goes_to_the_error_handler()
    {
        var live = new FakeLiveStacks();
        live.Seed(StackWorld.Healthy().Snapshot());
        var failed = new TaskCompletionSource<Exception>();

        await using var feed = LiveFeed.Start(live, null, _ => throw new InvalidOperationException("render failed"), e =>
        {
            failed.SetResult(e);
            return Task.CompletedTask;
        });

        var error = await failed.Task.WaitAsync(TimeSpan.FromSeconds(10), Xunit.TestContext.Current.CancellationToken);
        Assert.Equal("render failed", error.Message);
    }

    [Fact]
    public void A_pulse_lasts_its_window_and_a_second_change_restarts_it_under_the_other_name()
    {
        var pulses = new PulseTracker(TimeSpan.FromSeconds(2));

        pulses.Mark(["airbyte"], T0);
        Assert.Equal("pulse-a", pulses.ClassOf("airbyte", T0.AddSeconds(1)));
        Assert.Null(pulses.ClassOf("temporal", T0.AddSeconds(1)));

        pulses.Mark(["airbyte"], T0.AddSeconds(1));
        Assert.Equal("pulse-b", pulses.ClassOf("airbyte", T0.AddSeconds(2)));
        Assert.Null(pulses.ClassOf("airbyte", T0.AddSeconds(3)));
    }

    [Fact]
    public void Every_kind_of_the_catalog_and_every_object_kind_has_its_own_icon()
    {
        Assert.All(ComponentCatalog.Default.Kinds, kind => Assert.True(KindIcons.Has(kind.Icon), $"{kind.Name}: no icon {kind.Icon}"));
        string[] kinds =
        [
            ObjectKinds.Deployment, ObjectKinds.ReplicaSet, ObjectKinds.StatefulSet, ObjectKinds.Pod, ObjectKinds.Job, ObjectKinds.Service,
            ObjectKinds.Ingress, ObjectKinds.Secret, ObjectKinds.ConfigMap, ObjectKinds.PersistentVolumeClaim,
        ];
        Assert.All(kinds, kind => Assert.True(KindIcons.Has(KindIcons.ObjectIconName(kind)), kind));
        Assert.Equal(kinds.Length, kinds.Select(KindIcons.Object).Distinct().Count());
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(59, "59s")]
    [InlineData(60, "1m")]
    [InlineData(3599, "59m")]
    [InlineData(3600, "1h")]
    [InlineData(47 * 3600, "47h")]
    [InlineData(49 * 3600, "2d")]
    [InlineData(-5, "0s")]
    public void Ages_read_like_kubectl(int seconds, string expected)
    {
        Assert.Equal(expected, TimeFormat.Age(T0.AddSeconds(-seconds), T0));
    }
}
