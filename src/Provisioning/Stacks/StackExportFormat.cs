namespace Portal.Provisioning.Stacks;

/// <summary>What <see cref="IStackService.ExportAsync"/> writes a stack as.</summary>
public enum StackExportFormat
{
    /// <summary>The Kubernetes objects the portal applies, as multi-document YAML, secrets redacted.</summary>
    Kubernetes,

    /// <summary>A Juju bundle (<c>bundle.yaml</c>) of the charmed path: charms, channels, options and relations.</summary>
    JujuBundle,
}
