using Portal.Domain.Catalog;

namespace Portal.Domain.Secrets;

/// <summary>A workload of the stack and the Kubernetes Secrets its pods load (env <c>secretKeyRef</c>s and Secret volumes, as the
/// renderer records them in the pod template's ledger annotation).</summary>
/// <param name="Workload">The Deployment or StatefulSet name (<c>airbyte-server</c>).</param>
public sealed record WorkloadSecretUse(string Workload, string Component, IReadOnlyCollection<string> Secrets);

/// <summary>A workload a rotation restarts, in order, and why.</summary>
public sealed record SecretRestart(int Order, string Workload, string Why);

/// <summary>The blast radius of rotating a secret: who loads it, in which order they restart (the owner's workloads first, so MinIO
/// runs with its new credentials before Airbyte uses them), and the steps of the operation, each one sentence.</summary>
public static class BlastRadius
{
    /// <summary>The workloads that load the secret (its own Secret or a copy), in restart order.</summary>
    public static IReadOnlyList<string> Consumers(StackSecret secret, IEnumerable<WorkloadSecretUse> uses) =>
        Restarts(secret, uses).Select(r => r.Workload).ToList();

    /// <summary>The workloads that restart, in order: the owner's own workloads first, then the consumers, each group by name. A
    /// secret the workload itself writes (<see cref="SecretSource.Workload"/>) restarts every workload of its owner.</summary>
    public static IReadOnlyList<SecretRestart> Restarts(StackSecret secret, IEnumerable<WorkloadSecretUse> uses)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(uses);
        var loaded = secret.LoadedAs;
        var restarts = new List<(bool Owner, string Workload, string Why)>();
        foreach (var use in uses.DistinctBy(u => u.Workload))
        {
            var loads = loaded.Where(use.Secrets.Contains).ToList();
            if (loads.Count > 0)
            {
                restarts.Add((use.Component == secret.Owner, use.Workload, $"loads {string.Join(" and ", loads)}"));
            }
            else if (secret.Definition.Source == SecretSource.Workload && use.Component == secret.Owner)
            {
                restarts.Add((true, use.Workload, $"part of {secret.Owner}, which reads {secret.KubernetesSecret} at start"));
            }
        }

        return restarts
            .OrderByDescending(r => r.Owner)
            .ThenBy(r => r.Workload, StringComparer.Ordinal)
            .Select((r, i) => new SecretRestart(i + 1, r.Workload, r.Why))
            .ToList();
    }

    /// <summary>The steps of rotating the secret from its live <paramref name="revision"/>, each one sentence an operator reads
    /// before confirming.</summary>
    public static IReadOnlyList<string> Steps(StackSecret secret, int revision, IReadOnlyList<SecretRestart> restarts)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(restarts);
        var next = revision + 1;
        var steps = new List<string>();
        switch (secret.Definition.Rotation)
        {
            case RotationStrategy.DatabasePassword:
                steps.Add($"Generate a new password and set it on the database role with ALTER ROLE … PASSWORD (through the admin connection of an external server, a Job for the in-cluster one).");
                break;
            case RotationStrategy.OperatorSupplied:
                steps.Add("Take the new value the operator supplies (never stored by the portal).");
                break;
            case RotationStrategy.DualValidity:
                steps.Add("Generate a new secret; the old one stays valid next to it for the grace period.");
                break;
            default:
                steps.Add(secret.Definition.Source == SecretSource.Workload
                    ? $"Regenerate what {secret.Owner} can regenerate in {secret.KubernetesSecret}."
                    : "Generate a new value.");
                break;
        }

        var copies = secret.Copies.Count == 0 ? "" : $" and copy it into {string.Join(", ", secret.Copies)}";
        steps.Add($"Write it as revision {next} of Secret {secret.KubernetesSecret}{copies}; revision {revision} is kept.");
        if (restarts.Count == 0)
        {
            steps.Add("Nothing restarts: the portal reads it the next time it is needed.");
        }
        else
        {
            steps.AddRange(restarts.Select(r => $"Restart {r.Workload} ({r.Why}) and wait until it is healthy."));
        }

        if (secret.Definition.Rotation == RotationStrategy.DualValidity)
        {
            steps.Add("When the grace period ends, drop the old secret and restart again.");
        }

        steps.Add(secret.Definition.Rotation == RotationStrategy.DatabasePassword
            ? $"If a health check fails, set the old password again and put revision {revision} back."
            : $"If a health check fails, put revision {revision} back.");
        return steps;
    }
}
