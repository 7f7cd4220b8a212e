using Microsoft.Extensions.Logging;
using Portal.Domain.Common;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Rendering;
using Portal.Provisioning.Stacks;

namespace Portal.Provisioning.Drafts;

/// <summary>The deploy wizard's server side: the checks of <see cref="StackService.CreateAsync"/> without saving anything, the
/// plan and objects a deploy would create, and the preflight checks against the target cluster.</summary>
/// <remarks>Nothing here writes to the portal database, the audit log or the cluster: a draft is not a change yet.</remarks>
internal sealed class StackDrafts(
    PortalDatabase database,
    NewStackChecks checks,
    StackRenderer renderer,
    TimeProvider time) : IStackDrafts
{
    /// <summary>How long the cluster gets to answer at all before a preflight gives up on it.</summary>
    internal static readonly TimeSpan ReachTimeout = TimeSpan.FromSeconds(5);

    public async Task<ServiceResult<string>> ValidateAsync(CreateStackCommand command, CancellationToken cancellationToken)
    {
        var draft = await CheckAsync(command, cancellationToken).ConfigureAwait(false);
        return draft.IsSuccess ? ServiceResult<string>.Ok(draft.Value.Plan.Summary) : ServiceResult<string>.FailureFrom(draft);
    }

    public async Task<ServiceResult<StackPreview>> PreviewAsync(CreateStackCommand command, CancellationToken cancellationToken)
    {
        var draft = await CheckAsync(command, cancellationToken).ConfigureAwait(false);
        if (!draft.IsSuccess)
        {
            return ServiceResult<StackPreview>.FailureFrom(draft);
        }

        // The plan's steps are already in a stable topological order (by wave, then by id): the order the wizard shows them in.
        var plan = draft.Value.Plan;
        var steps = plan.Steps.Select(s => new PreviewStep(s.Id, s.Kind.ToString(), s.Description, s.WaitsFor, s.DependsOn)).ToList();

        // Rendered from the stored spec (no secret input in it), and redacted on top, so no typed secret can reach the YAML.
        var objects = renderer.Render(draft.Value.Stored)
            .Select(o => new PreviewObject(o.Kind, o.Name, o.Component, ManifestRedaction.Yaml(o.Object)))
            .ToList();
        return ServiceResult<StackPreview>.Ok(new StackPreview(plan.Summary, steps, objects));
    }

    public async Task<ServiceResult<PreflightReport>> PreflightAsync(CreateStackCommand command, CancellationToken cancellationToken)
    {
        var draft = await CheckAsync(command, cancellationToken).ConfigureAwait(false);
        if (!draft.IsSuccess)
        {
            return ServiceResult<PreflightReport>.FailureFrom(draft);
        }

        // Interim: the preflight checks land in the next commit; until then the wizard is told plainly that none ran.
        return ServiceResult<PreflightReport>.Unavailable("The preflight checks are not available yet.");
    }

    /// <summary>The draft validated and planned, with its name and place checked against the portal's stacks; every problem at
    /// once (a taken name or namespace is reported only when the value itself is valid).</summary>
    private async Task<ServiceResult<NewStack>> CheckAsync(CreateStackCommand command, CancellationToken cancellationToken)
    {
        var errors = new ErrorList();
        var checkedStack = checks.Check(command, time.GetUtcNow());
        if (!checkedStack.IsSuccess)
        {
            errors.AddRange(checkedStack.Errors);
        }

        var name = checkedStack.IsSuccess ? checkedStack.Value.Spec.Name : command.Name?.Trim();
        var cluster = checkedStack.IsSuccess ? checkedStack.Value.Spec.Cluster : command.Cluster?.Trim();
        var @namespace = checkedStack.IsSuccess ? checkedStack.Value.Spec.Namespace : (command.Namespace ?? command.Name)?.Trim();
        if (!string.IsNullOrEmpty(name) && !string.IsNullOrEmpty(cluster) && !string.IsNullOrEmpty(@namespace))
        {
            await using var context = database.CreateContext();
            var placement = await NewStackChecks.PlaceAsync(context, name, cluster, @namespace, tracking: false, cancellationToken).ConfigureAwait(false);
            var reported = errors.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
            errors.AddRange(NewStackChecks.ClashErrors(name, cluster, @namespace, placement.Others)
                .Where(e => !reported.Contains(e.Path) && !(e.Path == "namespace" && reported.Contains("cluster"))));
        }

        return errors.Count == 0 ? ServiceResult<NewStack>.Ok(checkedStack.Value) : ServiceResult<NewStack>.Invalid(errors);
    }
}

/// <summary>Log messages of the drafts (never a value of the draft's options).</summary>
internal static partial class DraftsLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Preflight of stack {Stack} on cluster {Cluster}: {Failed} failed, {Warned} warned")]
    public static partial void PreflightDone(ILogger logger, string stack, string cluster, int failed, int warned);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Preflight skipped: cluster {Cluster} cannot be reached ({Reason})")]
    public static partial void ClusterUnreachable(ILogger logger, string cluster, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Preflight check {Check} could not finish: {Reason}")]
    public static partial void CheckFailed(ILogger logger, string check, string reason);
}
