using Portal.Domain.Blueprints;

namespace Portal.Domain.Plans;

/// <summary>One step of a plan: what it does, to which component or relation, and which steps it waits for.</summary>
/// <param name="Id">Stable, deterministic and URL-safe (see <see cref="StepIds"/>).</param>
/// <param name="Component">The component the step works on; for relation steps, null.</param>
/// <param name="Relation">The relation the step works on; null for component and namespace steps.</param>
/// <param name="DependsOn">Ids of the steps that must succeed first (only the direct ones: the plan holds no redundant edge).</param>
/// <param name="Description">One readable sentence, e.g. "Create the database and login role for airbyte:db on postgresql".</param>
/// <param name="Outcome">What is true once the step succeeded, e.g. "temporal schemas ready"; other steps' <see cref="WaitsFor"/> use it.</param>
public sealed record PlanStep(
    string Id,
    StepKind Kind,
    string? Component,
    RelationSpec? Relation,
    IReadOnlyList<string> DependsOn,
    string Description,
    string Outcome)
{
    /// <summary>For the UI: "waits for: temporal schemas ready, postgresql healthy", or empty when the step can start at once.</summary>
    /// <remarks>Filled by <see cref="Plan.Create"/> from the outcomes of <see cref="DependsOn"/>.</remarks>
    public string WaitsFor { get; init; } = "";

    /// <summary>For removal steps: also delete the data the portal keeps by default (the component's volumes, the
    /// relation's database and role).</summary>
    public bool DeleteData { get; init; }

    /// <summary>Why a reconfigure includes the step ("airbyte log-level changed"), as the end of <see cref="Description"/> says;
    /// empty for a deploy or a teardown, where every step is there by construction.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>What a certificate step works on (a hostname, and the revision to restore); null for other steps.</summary>
    public StepSubject? Subject { get; init; }

    public override string ToString() => Id;
}
