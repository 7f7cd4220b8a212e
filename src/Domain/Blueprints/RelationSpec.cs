namespace Portal.Domain.Blueprints;

/// <summary>A relation between a requirer endpoint and a provider endpoint over one interface.</summary>
public sealed record RelationSpec(EndpointRef Requirer, EndpointRef Provider, string Interface)
{
    /// <summary>A stable identifier, e.g. <c>airbyte:db--postgresql:database</c>; used in step names and URLs.</summary>
    public string Key => $"{Requirer}--{Provider}";

    public bool Involves(string component) => Requirer.Component == component || Provider.Component == component;

    public static RelationSpec Of(string requirer, string provider, string @interface) =>
        new(EndpointRef.Parse(requirer), EndpointRef.Parse(provider), @interface);

    public override string ToString() => $"{Requirer} → {Provider} ({Interface})";
}
