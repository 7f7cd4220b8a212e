using Portal.Domain.Operations;
using Portal.Domain.Plans;

namespace Portal.Provisioning.Operations;

/// <summary>Does the work of one kind of step. Handlers are idempotent: they read the cluster, skip what is done, and
/// assume they may run again after a crash or a redelivered job.</summary>
internal interface IStepHandler
{
    StepKind Kind { get; }

    Task<StepOutcome> RunAsync(StepExecution execution, CancellationToken cancellationToken);
}

/// <summary>The step being run and the operation it belongs to (a snapshot taken when the step started).</summary>
internal sealed record StepExecution(Operation Operation, Step Step)
{
    public Domain.Stacks.StackSpec Target => Operation.Target;

    public Domain.Blueprints.RelationSpec Relation =>
        Target.Relations.FirstOrDefault(r => r.Key == Step.Relation)
        ?? throw new InvalidOperationException($"Step {Step.Key} names relation {Step.Relation}, which the stack does not have.");
}
