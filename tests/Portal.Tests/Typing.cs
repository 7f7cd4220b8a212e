using Microsoft.AspNetCore.Components;

namespace Portal.Tests;

/// <summary>Typing into a rendered input the way that cannot race a render.</summary>
internal static class Typing
{
    /// <summary>Finds the element and fires its input event in one go on the renderer's thread: a debounced MudBlazor input
    /// re-renders on its own clock, and a render between a Find and an Input leaves the found element's handler stale.</summary>
    public static void TypeInto<TComponent>(this IRenderedComponent<TComponent> cut, string selector, string text)
        where TComponent : IComponent =>
        cut.InvokeAsync(() => cut.Find(selector).Input(text)).GetAwaiter().GetResult();
}
