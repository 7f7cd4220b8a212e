using Portal.Domain.Naming;
using Portal.Domain.Status.Observation;

namespace Portal.Domain.Tests.Status;

public sealed class ObservationTests
{
    [Theory]
    [InlineData("airbyte-db-relation=2,airbyte-object-storage-relation=1", 2)]
    [InlineData(" airbyte-db-relation = 2 , broken, =3, other=x ", 1)]
    [InlineData("", 0)]
    [InlineData(null, 0)]
    public void Ledger_parses_revisions_and_skips_what_it_cannot_read(string? annotation, int count)
    {
        var revisions = SecretRevisionLedger.Parse(annotation);

        Assert.Equal(count, revisions.Count);
        if (count > 0)
        {
            Assert.Equal(2, revisions["airbyte-db-relation"]);
        }
    }

    [Fact]
    public void Ledger_round_trips_in_name_order()
    {
        var text = SecretRevisionLedger.Format(new Dictionary<string, int> { ["b-secret"] = 3, ["a-secret"] = 12 });

        Assert.Equal("a-secret=12,b-secret=3", text);
        Assert.Equal(12, SecretRevisionLedger.Parse(text)["a-secret"]);
    }

    [Fact]
    public void Pod_reads_its_ledger_and_names_its_workload_from_labels()
    {
        var pod = StatusWorld.Healthy().Get<ObservedPod>(StatusWorld.PodOf("airbyte-server"));

        Assert.Equal(1, pod.SecretRevisions["airbyte-db-relation"]);
        Assert.Equal("airbyte-server", pod.WorkloadName);
        Assert.Equal("airbyte", pod.Component);
        Assert.Equal(StatusWorld.StackName, pod.Stack);
    }

    [Theory]
    [InlineData("oauth2-proxy", "oauth2-proxy", "ReplicaSet", "oauth2-proxy-7d9f8", "7d9f8", "oauth2-proxy")]
    [InlineData("oauth2-proxy", "oauth2-proxy", "ReplicaSet", "oauth2-proxy-7d9f8", null, "oauth2-proxy")]
    [InlineData("airbyte", "server", "ReplicaSet", "airbyte-server-5c6b7", "5c6b7", "airbyte-server")]
    [InlineData("airbyte", "server", "ReplicaSet", "airbyte-server-5c6b7", null, "airbyte-server")]
    [InlineData("minio", "minio", "StatefulSet", "minio", null, "minio")]
    [InlineData("server", "server", "ReplicaSet", "server-server-5c6b7", "5c6b7", "server-server")]
    public void A_pod_names_its_workload_as_the_cluster_does(string component, string workload, string ownerKind, string owner, string? hash, string expected)
    {
        var labels = new Dictionary<string, string> { [PortalLabels.Component] = component, [PortalLabels.Workload] = workload };
        if (hash is not null)
        {
            labels[ObservedPod.PodTemplateHashLabel] = hash;
        }

        var pod = new ObservedPod { Namespace = "ns", Name = $"{owner}-x1", Labels = labels, OwnerReferences = [new OwnerReference(ownerKind, owner, "uid-1")] };

        Assert.Equal(expected, pod.WorkloadName);
    }

    [Fact]
    public void Secret_exposes_its_revision_and_missing_keys_without_values()
    {
        var secret = StatusWorld.Secret("airbyte-db-relation", "postgresql", ["host", "port"], revision: 4);

        Assert.Equal(4, secret.Revision);
        Assert.Equal(["database", "password"], secret.MissingKeys(["host", "database", "port", "password"]));
        Assert.Null((secret with { Annotations = new Dictionary<string, string> { [PortalLabels.RevisionAnnotation] = "x" } }).Revision);
    }

    [Fact]
    public void Stack_observation_finds_pods_of_a_deployment_through_its_replica_sets()
    {
        var world = StatusWorld.Healthy();
        var observation = StackObservation.Create(StatusWorld.StackName, world.Objects);

        var pods = observation.PodsOf(observation.Find<ObservedDeployment>("airbyte-server")!).ToList();

        Assert.Equal([StatusWorld.PodOf("airbyte-server")], pods.Select(p => p.Name));
        Assert.Equal(["minio-0"], observation.PodsOf(observation.Find<ObservedStatefulSet>("minio")!).Select(p => p.Name));
        Assert.Equal(["data-minio-0"], observation.ClaimsOf(observation.Find<ObservedStatefulSet>("minio")!).Select(c => c.Name));
    }

    [Fact]
    public void Stack_observation_groups_objects_by_component_and_relation()
    {
        var observation = StackObservation.Create(StatusWorld.StackName, StatusWorld.Healthy().Objects);

        Assert.Contains(observation.ForComponent("minio"), o => o is ObservedStatefulSet);
        Assert.Contains(observation.ForRelation(Blueprints.RelationSpec.Of("temporal:admin", "temporal-admin:admin", "temporal")), o => o is ObservedJob);
    }

    [Fact]
    public void Events_are_matched_by_uid_when_known_else_by_kind_and_name()
    {
        var pod = new ObservedPod { Namespace = "airbyte", Name = "p", Uid = "uid-new" };
        ObservedEvent Event(string uid) => new()
        {
            Namespace = "airbyte", Name = $"p.{uid}", InvolvedObject = new ObjectRef(ObjectKinds.Pod, "p"), InvolvedUid = uid, Type = EventType.Warning,
        };

        var observation = StackObservation.Create("s", [pod, Event("uid-old"), Event("uid-new"), Event("")]);

        Assert.Equal(["p.uid-new", "p."], observation.EventsFor(pod).Select(e => e.Name).Order().Reverse());
    }

    [Fact]
    public void Cluster_snapshot_splits_stacks_and_keeps_the_events_about_their_objects()
    {
        var mine = StatusWorld.Ingress("ingress-airbyte", "ingress");
        var other = mine with { Labels = new Dictionary<string, string> { [PortalLabels.Stack] = "staging" }, Name = "ingress-staging" };
        var elsewhere = mine with { Namespace = "other-namespace" };
        var aboutMine = new ObservedEvent { Namespace = StatusWorld.Ns, Name = "e1", InvolvedObject = mine.Ref, InvolvedUid = mine.Uid };
        var aboutOther = new ObservedEvent { Namespace = StatusWorld.Ns, Name = "e2", InvolvedObject = other.Ref };

        var snapshot = new ClusterSnapshot([mine, other, elsewhere, aboutMine, aboutOther]);
        var stack = snapshot.ForStack(StatusWorld.StackName, StatusWorld.Ns);

        Assert.Equal([StatusWorld.StackName, "staging"], snapshot.Stacks);
        Assert.Equal([mine, aboutMine], stack.Objects);
    }
}
