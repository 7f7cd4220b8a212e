namespace Portal.Testing;

/// <summary>Tearing down what a fixture started: its parts in order (those not started are null), then its work folder.</summary>
internal static class TestParts
{
    /// <summary>Disposes each part that was started, in the order given (the portal before what it uses).</summary>
    public static async Task DisposeAsync(params IAsyncDisposable?[] parts)
    {
        foreach (var part in parts)
        {
            if (part is not null)
            {
                await part.DisposeAsync();
            }
        }
    }

    /// <summary>Deletes a work folder; one left behind (a file still open) is harmless.</summary>
    public static void Delete(DirectoryInfo folder)
    {
        try
        {
            folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
