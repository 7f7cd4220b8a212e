namespace Portal.Shared.Topology;

/// <summary>How a node of a topology diagram is drawn: a subtitle (its kind) and a CSS class; with a status it is drawn live
/// (status word, kind and message, coloured by its tone).</summary>
public sealed record DiagramNode(string Subtitle, string CssClass)
{
    /// <summary>The status word (<c>active</c> … <c>error</c>), written to <c>data-status</c>; null for a diagram without status.</summary>
    public string? Status { get; init; }

    /// <summary>The colour tone (a component status word, see <see cref="Status.StatusStyles"/>).</summary>
    public string? Tone { get; init; }

    /// <summary>The status message; shown shortened in the box and whole in its tooltip.</summary>
    public string Message { get; init; } = "";

    /// <summary>The icon's SVG path markup (MudBlazor's icon strings, 24×24).</summary>
    public string? Icon { get; init; }

    /// <summary>The CSS class that plays the change pulse (alternating names, so that each change restarts the animation).</summary>
    public string? Pulse { get; init; }

    /// <summary>A flag drawn in the box's corner with this text as its tooltip (the secret ledger's: pods on an old revision); null for none.</summary>
    public string? Flag { get; init; }
}

/// <summary>How an edge is drawn: its label (the interface) and a CSS class; with a status it is coloured by its tone.</summary>
public sealed record DiagramEdge(string Label, string CssClass)
{
    /// <summary>The relation health word (<c>healthy</c>, <c>pending</c>, <c>broken</c>, <c>unknown</c>), written to <c>data-status</c>.</summary>
    public string? Status { get; init; }

    /// <summary>The colour tone (a component status word).</summary>
    public string? Tone { get; init; }

    /// <summary>The tooltip: the relation and its health message.</summary>
    public string? Title { get; init; }

    public string? Pulse { get; init; }
}
