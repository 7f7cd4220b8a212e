namespace Portal.Domain.Blueprints;

/// <summary>A relation between a requirer endpoint and a provider endpoint over one interface.</summary>
public sealed record RelationSpec(EndpointRef Requirer, EndpointRef Provider, string Interface)
{
    /// <summary>A stable identifier, e.g. <c>airbyte:db--postgresql:database</c>; used in step names and URLs.</summary>
    public string Key => $"{Requirer}--{Provider}";

    /// <summary>The key as a Kubernetes label value (<see cref="Naming.PortalLabels.Relation"/>): label values allow no <c>:</c>
    /// and at most 63 characters, so <c>:</c> becomes <c>.</c> and an over-long key is shortened with a hash of the whole.</summary>
    public string LabelValue
    {
        get
        {
            var value = Key.Replace(':', '.');
            if (value.Length <= 63)
            {
                return value;
            }

            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Key)))[..10];
            return $"{value[..52].TrimEnd('-', '.', '_')}-{hash}";
        }
    }

    public bool Involves(string component) => Requirer.Component == component || Provider.Component == component;

    public static RelationSpec Of(string requirer, string provider, string @interface) =>
        new(EndpointRef.Parse(requirer), EndpointRef.Parse(provider), @interface);

    public override string ToString() => $"{Requirer} → {Provider} ({Interface})";
}
