namespace Portal.Shared.Topology;

/// <summary>How a node of a topology diagram is drawn: a subtitle (its kind, or its status message) and a CSS class (its status).</summary>
public sealed record DiagramNode(string Subtitle, string CssClass);

/// <summary>How an edge is drawn: its label (the interface) and a CSS class (its health).</summary>
public sealed record DiagramEdge(string Label, string CssClass);
