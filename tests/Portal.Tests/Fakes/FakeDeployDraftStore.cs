using Portal.Features.Deploy;

namespace Portal.Tests.Fakes;

/// <summary>The browser's session storage of a deploy draft, in memory: what was saved last.</summary>
public sealed class FakeDeployDraftStore : IDeployDraftStore
{
    public DeployDraftSnapshot? Saved { get; set; }

    public Task<DeployDraftSnapshot?> LoadAsync() => Task.FromResult(Saved);

    public Task SaveAsync(DeployDraftSnapshot snapshot)
    {
        Saved = snapshot;
        return Task.CompletedTask;
    }

    public Task ClearAsync()
    {
        Saved = null;
        return Task.CompletedTask;
    }
}
