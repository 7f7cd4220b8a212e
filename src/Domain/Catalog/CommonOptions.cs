namespace Portal.Domain.Catalog;

/// <summary>Options several kinds share, defined once so that they read the same everywhere.</summary>
internal static class CommonOptions
{
    public static ConfigOptionDefinition ImageTag(string defaultTag) =>
        new("image-tag", OptionType.String, "Tag of the container images to run.") { Default = defaultTag, Required = true };

    public static ConfigOptionDefinition Replicas(string what) =>
        new("replicas", OptionType.Integer, $"How many {what} pods to run.") { Default = "1", Minimum = 1, Maximum = 10, Scales = true };

    public static ConfigOptionDefinition ExternalHostname(string what) =>
        new("external-hostname", OptionType.Hostname, $"Public hostname {what} is served on.") { Required = true };

    public static ConfigOptionDefinition StorageSize(string defaultSize) =>
        new("storage-size", OptionType.Quantity, "Size of the persistent volume. Cannot be changed after deployment.")
        {
            Default = defaultSize,
            Required = true,
            ImmutableAfterDeploy = true,
        };

    public static ContainerDefinition Container(
        string name, string image, string tag, IReadOnlyList<PortDefinition> ports, IReadOnlyList<ProbeDefinition> probes,
        string cpu = "100m", string memory = "256Mi") =>
        new(name, image, tag, ports, probes, cpu, memory);

    public static ProbeDefinition Http(ProbeKind kind, int port, string path) => new(kind, port, path);

    public static ProbeDefinition Tcp(ProbeKind kind, int port) => new(kind, port, null);
}
