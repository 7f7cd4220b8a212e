using Portal.Provisioning.Infrastructure;

namespace Portal.Provisioning.Tests.Infrastructure;

public sealed class PasswordGeneratorTests
{
    [Fact]
    public void Generate_Default_Is32UrlSafeCharacters()
    {
        var password = PasswordGenerator.Generate();

        Assert.Equal(32, password.Length);
        Assert.Matches("^[A-Za-z0-9_-]{32}$", password);
    }

    [Fact]
    public void Generate_ManyTimes_NeverRepeatsAndUsesTheWholeAlphabet()
    {
        var passwords = Enumerable.Range(0, 2000).Select(_ => PasswordGenerator.Generate()).ToList();

        Assert.Equal(passwords.Count, passwords.Distinct(StringComparer.Ordinal).Count());
        // 64 000 draws from 64 symbols: a symbol missing would mean a broken alphabet, not bad luck (p < 1e-400).
        Assert.Equal(PasswordGenerator.Alphabet.Order(), passwords.SelectMany(p => p).Distinct().Order());
    }

    [Fact]
    public void Generate_ShorterThan16_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PasswordGenerator.Generate(8));
    }
}
