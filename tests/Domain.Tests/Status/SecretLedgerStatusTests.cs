using System.Globalization;
using Portal.Domain.Naming;
using Portal.Domain.Status.Observation;

namespace Portal.Domain.Tests.Status;

/// <summary>The secret ledger on the stack status: workloads whose running pods loaded an older revision of a Secret than the live
/// one are flagged on their component, without changing its status.</summary>
public sealed class SecretLedgerStatusTests
{
    // The Secret of Temporal's database relation, loaded by Temporal's workloads only.
    private static readonly string RelationSecret = ObjectNames.RelationSecret(
        StatusWorld.CharmedAirbyte().Relations.First(r => r.Requirer.Component == "temporal" && r.Interface == Portal.Domain.Catalog.Interfaces.PostgresqlClient));

    [Fact]
    public void A_healthy_stack_flags_nothing()
    {
        var status = StatusWorld.Healthy().Evaluate();

        Assert.All(status.Components, c => Assert.Empty(c.StaleSecrets));
    }

    [Fact]
    public void Pods_that_loaded_an_older_revision_than_the_live_one_are_flagged_on_their_component_only()
    {
        var world = StatusWorld.Healthy().Update<ObservedSecret>(RelationSecret, s => AtRevision(s, 2));

        var status = world.Evaluate();

        var temporal = status.Component("temporal");
        var workloads = world.Objects.OfType<ObservedDeployment>().Where(d => d.Component == "temporal").Select(d => d.Name).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(workloads);
        Assert.Equal(workloads, temporal.StaleSecrets.Select(s => s.Workload));
        var stale = temporal.StaleSecrets[0];
        Assert.Equal(RelationSecret, stale.Secret);
        Assert.Equal(1, stale.LoadedRevision);
        Assert.Equal(2, stale.LiveRevision);
        Assert.Equal([StatusWorld.PodOf(stale.Workload)], stale.Pods);
        Assert.Equal($"{stale.Workload} still runs revision 1 of Secret {RelationSecret} (revision 2 is live; 1 pod)", stale.Sentence);
        Assert.All(status.Components.Where(c => c.Component != "temporal"), c => Assert.Empty(c.StaleSecrets));
    }

    [Fact]
    public void A_pod_being_deleted_or_finished_is_not_flagged()
    {
        var world = StatusWorld.Healthy()
            .Update<ObservedSecret>(RelationSecret, s => AtRevision(s, 2))
            .UpdateAll<ObservedPod>(p => p.Component == "temporal", p => p with { DeletionRequestedAt = StatusWorld.Now });

        Assert.Empty(world.Component("temporal").StaleSecrets);
    }

    [Fact]
    public void Pods_on_the_live_revision_clear_the_flag()
    {
        var world = StatusWorld.Healthy()
            .Update<ObservedSecret>(RelationSecret, s => AtRevision(s, 2))
            .UpdateAll<ObservedPod>(p => p.Component == "temporal", p => p with
            {
                Annotations = new Dictionary<string, string>
                {
                    [PortalLabels.SecretRevisionsAnnotation] = SecretRevisionLedger.Format(
                        p.SecretRevisions.ToDictionary(e => e.Key, e => e.Key == RelationSecret ? 2 : e.Value)),
                },
            });

        Assert.Empty(world.Component("temporal").StaleSecrets);
    }

    [Fact]
    public void A_Secret_without_a_revision_is_not_in_the_ledger()
    {
        var world = StatusWorld.Healthy().Update<ObservedSecret>(RelationSecret, s => s with { Annotations = new Dictionary<string, string>() });

        Assert.Empty(world.Component("temporal").StaleSecrets);
    }

    private static ObservedSecret AtRevision(ObservedSecret secret, int revision) => secret with
    {
        Annotations = new Dictionary<string, string>(secret.Annotations) { [PortalLabels.RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture) },
    };
}
