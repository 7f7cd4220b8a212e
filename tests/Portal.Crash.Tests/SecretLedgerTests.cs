namespace Portal.Crash.Tests;

/// <summary>The chaos test's revision checks on their own: each kind of loss it looks for is reported, and what the portal does on
/// purpose (a rotation keeping the revision it replaces, a failed rotation put back) is not.</summary>
public sealed class SecretLedgerTests
{
    private static LedgerEntry Live(int revision, string data, params (int Revision, string Data)[] kept) =>
        new("airbyte-db-relation", revision, data, new Dictionary<string, string> { ["password"] = data },
            kept.Select(k => new KeptCopy($"airbyte-db-relation-rev-{k.Revision}", k.Revision, k.Data)).ToList());

    private static List<string> Problems(LedgerEntry before, LedgerEntry after) => [.. after.ProblemsSince(before), .. after.Problems()];

    [Fact]
    public void A_rotation_that_keeps_the_revision_it_replaces_is_fine()
    {
        Assert.Empty(Problems(Live(2, "b", (1, "a")), Live(3, "c", (2, "b"), (1, "a"))));

        // The fourth-newest is pruned: the portal keeps three.
        Assert.Empty(Problems(Live(4, "d", (3, "c"), (2, "b"), (1, "a")), Live(5, "e", (4, "d"), (3, "c"), (2, "b"))));
    }

    [Fact]
    public void A_failed_rotation_put_back_under_its_old_number_is_fine()
    {
        Assert.Empty(Problems(Live(2, "b", (1, "a")), Live(2, "b", (1, "a"))));
    }

    [Fact]
    public void A_revision_rewritten_in_place_or_gone_back_is_reported()
    {
        Assert.Contains(Problems(Live(2, "b", (1, "a")), Live(2, "x", (1, "a"))), p => p.Contains("rewritten in place", StringComparison.Ordinal));
        Assert.Contains(Problems(Live(3, "c", (2, "b")), Live(2, "b", (1, "a"))), p => p.Contains("went back", StringComparison.Ordinal));
    }

    [Fact]
    public void A_replaced_revision_not_kept_or_kept_wrong_is_reported()
    {
        Assert.Contains(Problems(Live(2, "b", (1, "a")), Live(3, "c", (1, "a"))), p => p.Contains("revision 2, live before, is not kept", StringComparison.Ordinal));
        Assert.Contains(Problems(Live(2, "b", (1, "a")), Live(3, "c", (2, "x"), (1, "a"))), p => p.Contains("does not hold what revision 2 held", StringComparison.Ordinal));
    }

    [Fact]
    public void A_kept_revision_lost_changed_or_kept_too_often_is_reported()
    {
        Assert.Contains(Problems(Live(3, "c", (2, "b"), (1, "a")), Live(4, "d", (3, "c"), (2, "b"))), p => p.Contains("kept revision 1", StringComparison.Ordinal) && p.Contains("lost", StringComparison.Ordinal));
        Assert.Contains(Problems(Live(3, "c", (2, "b"), (1, "a")), Live(4, "d", (3, "c"), (2, "x"), (1, "a"))), p => p.Contains("kept revision 2", StringComparison.Ordinal) && p.Contains("changed", StringComparison.Ordinal));
        Assert.Contains(Problems(Live(4, "d"), Live(5, "e", (4, "d"), (3, "c"), (2, "b"), (1, "a"))), p => p.Contains("the portal keeps 3", StringComparison.Ordinal));
        Assert.Contains(Problems(Live(4, "d"), Live(5, "e", (4, "d"), (5, "e"))), p => p.Contains("not older than the live revision", StringComparison.Ordinal));
    }
}
