using Portal.Domain.Naming;
using Portal.Domain.Status.Observation;
using Portal.Provisioning.Live;

namespace Portal.Provisioning.Tests.Live;

/// <summary>What the cache keeps: objects per stack, events only about cached objects and within their caps, progress stamps.</summary>
public sealed class ObservationStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private static readonly LiveOptions Options = new()
    {
        MaxEventsPerObject = 3,
        EventMaxAge = TimeSpan.FromHours(1),
        MaxPendingEvents = 2,
        PendingEventMaxAge = TimeSpan.FromMinutes(2),
    };

    [Fact]
    public void A_stack_sees_its_own_labelled_objects_in_its_namespace_only()
    {
        var store = new ObservationStore(Options);
        store.Upsert(Pod("a-1", "ns-a", "a"), Now);
        store.Upsert(Pod("b-1", "ns-b", "b"), Now);
        store.Upsert(Pod("other-1", "ns-a", "other"), Now);

        var observation = store.Observe("a", "ns-a", Now);

        Assert.Equal(["a-1"], observation.Objects.Select(o => o.Name));
    }

    [Fact]
    public void An_unlabelled_object_in_a_stacks_namespace_belongs_to_that_stack()
    {
        var store = new ObservationStore(Options);
        store.Upsert(new ObservedSecret { Namespace = "ns-a", Name = "airbyte-auth-secrets", KeyNames = ["jwt-signature-secret"] }, Now);

        Assert.NotNull(store.Observe("a", "ns-a", Now).Find<ObservedSecret>("airbyte-auth-secrets"));
        Assert.Empty(store.Observe("b", "ns-b", Now).Objects);
    }

    [Fact]
    public void Changes_name_the_namespace_they_touched_and_an_unchanged_resource_version_changes_nothing()
    {
        var store = new ObservationStore(Options);

        Assert.Equal(["ns-a"], store.Upsert(Pod("a-1", "ns-a", "a", rv: "1"), Now));
        Assert.Empty(store.Upsert(Pod("a-1", "ns-a", "a", rv: "1"), Now));
        Assert.Equal(["ns-a"], store.Upsert(Pod("a-1", "ns-a", "a", rv: "2"), Now));
        Assert.Equal(["ns-a"], store.Delete(ObjectKinds.Pod, "ns-a", "a-1"));
        Assert.Empty(store.Delete(ObjectKinds.Pod, "ns-a", "a-1"));
    }

    [Fact]
    public void A_list_replaces_its_kind_and_drops_what_it_no_longer_has_with_its_events()
    {
        var store = new ObservationStore(Options);
        store.Upsert(Pod("p1", "ns", "s"), Now);
        store.Upsert(Pod("p2", "ns", "s"), Now);
        store.Upsert(new ObservedConfigMap { Namespace = "ns", Name = "cm", Labels = Labels("s") }, Now);
        store.UpsertEvent(Event("e1", "ns", "p2", "uid-p2"), Now);

        var changed = store.Replace(o => o.Kind == ObjectKinds.Pod, [Pod("p1", "ns", "s")], Now);

        Assert.Equal(["ns"], changed);
        Assert.Equal(["cm", "p1"], store.Objects().Select(o => o.Name).Order());
        Assert.Empty(store.Events());
    }

    [Fact]
    public void Events_are_kept_only_about_cached_objects_the_newest_few_per_object()
    {
        var store = new ObservationStore(Options);
        store.Upsert(Pod("p1", "ns", "s"), Now);
        for (var i = 0; i < 5; i++)
        {
            store.UpsertEvent(Event($"e{i}", "ns", "p1", "uid-p1", at: Now.AddMinutes(i - 10)), Now);
        }

        store.UpsertEvent(Event("about-a-stranger", "ns", "stranger", "uid-stranger"), Now);

        var observation = store.Observe("s", "ns", Now);
        Assert.Equal(["e4", "e3", "e2"], observation.EventsFor(observation.Find<ObservedPod>("p1")!).Select(e => e.Name));
        Assert.DoesNotContain(store.Events(), e => e.Name == "about-a-stranger");
    }

    [Fact]
    public void An_event_that_arrives_before_its_object_is_kept_once_the_object_comes()
    {
        var store = new ObservationStore(Options);
        store.UpsertEvent(Event("early", "ns", "p1", "uid-p1"), Now);
        Assert.Empty(store.Events());
        Assert.Equal(1, store.PendingEventCount);

        var changed = store.Upsert(Pod("p1", "ns", "s"), Now);

        Assert.Equal(["ns"], changed);
        Assert.Equal(["early"], store.Events().Select(e => e.Name));
        Assert.Equal(0, store.PendingEventCount);
    }

    [Fact]
    public void Events_held_for_objects_that_never_come_are_bounded_and_expire()
    {
        var store = new ObservationStore(Options);
        for (var i = 0; i < 5; i++)
        {
            store.UpsertEvent(Event($"e{i}", "ns", $"ghost-{i}", $"uid-{i}"), Now.AddSeconds(i));
        }

        Assert.Equal(Options.MaxPendingEvents, store.PendingEventCount);
        store.Prune(Now + Options.PendingEventMaxAge + TimeSpan.FromMinutes(1));
        Assert.Equal(0, store.PendingEventCount);
    }

    [Fact]
    public void Events_older_than_their_age_are_not_shown_and_are_pruned()
    {
        var store = new ObservationStore(Options);
        store.Upsert(Pod("p1", "ns", "s"), Now);
        store.UpsertEvent(Event("recent", "ns", "p1", "uid-p1", at: Now.AddMinutes(-5)), Now);
        store.UpsertEvent(Event("old", "ns", "p1", "uid-p1", at: Now.AddMinutes(-50)), Now);

        var later = Now.AddMinutes(20);
        Assert.Equal(["recent"], store.Observe("s", "ns", later).Events.Select(e => e.Name));
        Assert.Equal(["ns"], store.Prune(later));
        Assert.Equal(["recent"], store.Events().Select(e => e.Name));
    }

    [Fact]
    public void An_object_created_again_under_its_name_does_not_inherit_the_old_ones_events()
    {
        var store = new ObservationStore(Options);
        store.Upsert(Pod("p1", "ns", "s", uid: "old-uid"), Now);
        store.UpsertEvent(Event("about-old", "ns", "p1", "old-uid"), Now);

        store.Upsert(Pod("p1", "ns", "s", uid: "new-uid", rv: "9"), Now);

        Assert.Empty(store.Events());
    }

    [Theory]
    [InlineData(1, 1, 0, true)]
    [InlineData(2, 0, 0, true)]
    [InlineData(1, 1, 1, false)]
    public void A_deployment_is_stamped_as_changed_only_when_its_spec_or_progress_moved(long generation, int ready, int previousReady, bool moved)
    {
        var earlier = Now.AddMinutes(-30);
        var previous = new ObservedDeployment { Namespace = "ns", Name = "d", Generation = 1, ReadyReplicas = previousReady, LastChangedAt = earlier };
        var current = new ObservedDeployment { Namespace = "ns", Name = "d", Generation = generation, ReadyReplicas = ready };

        var stamped = Progress.Stamp(previous, current, Now);

        Assert.Equal(moved ? Now : earlier, stamped.LastChangedAt);
    }

    private static Dictionary<string, string> Labels(string stack) => new()
    {
        [PortalLabels.ManagedBy] = PortalLabels.ManagedByValue,
        [PortalLabels.Stack] = stack,
        [PortalLabels.Component] = "airbyte",
    };

    private static ObservedPod Pod(string name, string ns, string stack, string rv = "1", string? uid = null) =>
        new() { Namespace = ns, Name = name, Uid = uid ?? $"uid-{name}", ResourceVersion = rv, Labels = Labels(stack) };

    private static ObservedEvent Event(string name, string ns, string pod, string uid, DateTimeOffset? at = null) => new()
    {
        Namespace = ns,
        Name = name,
        ResourceVersion = "1",
        InvolvedObject = new ObjectRef(ObjectKinds.Pod, pod),
        InvolvedUid = uid,
        Reason = "Pulled",
        LastSeen = at ?? Now.AddMinutes(-1),
    };
}
