namespace Portal.Features.Topology;

/// <summary>The addresses of the topology page and its drawers: the drawer state lives in the URL, so links, reloads and the
/// browser's back button all show the same thing.</summary>
public static class TopologyLinks
{
    public static string Stack(string stack) => $"/stacks/{Segment(stack)}";

    public static string Component(string stack, string component) => $"/stacks/{Segment(stack)}/components/{Segment(component)}";

    /// <summary>A relation by its key (<c>airbyte:db--postgresql:database</c>).</summary>
    public static string Relation(string stack, string relationKey) => $"/stacks/{Segment(stack)}/relations/{Segment(relationKey)}";

    // Names are DNS labels and keys add ':' and '--': escaping keeps any other character safe, and ':' stays readable
    // (it is allowed in a path segment that is not the first of a relative path; ours are absolute).
    private static string Segment(string value) => Uri.EscapeDataString(value).Replace("%3A", ":", StringComparison.Ordinal);
}
