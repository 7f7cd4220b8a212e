namespace Portal.Sandbox.Storage;

/// <summary>Uids and random name suffixes; seeded so a test run with a seed produces the same names every time.</summary>
internal sealed class Identity(int? seed)
{
    // The alphabet the real API server uses for generateName suffixes and pod-template hashes (no vowels, no
    // look-alike digits), so generated names look like the real thing.
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    private readonly Random _random = seed is { } s ? new Random(s) : new Random();
    private readonly Lock _gate = new();

    public string NewUid()
    {
        Span<byte> bytes = stackalloc byte[16];
        lock (_gate)
        {
            _random.NextBytes(bytes);
        }

        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString();
    }

    public string Suffix(int length = 5)
    {
        Span<char> chars = stackalloc char[length];
        lock (_gate)
        {
            for (var i = 0; i < length; i++)
            {
                chars[i] = Alphabet[_random.Next(Alphabet.Length)];
            }
        }

        return new string(chars);
    }

    /// <summary>A stable short hash in the real alphabet (pod-template-hash, controller-revision-hash).</summary>
    public static string Hash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        Span<char> chars = stackalloc char[10];
        var length = 0;
        do
        {
            chars[length++] = Alphabet[(int)(hash % (uint)Alphabet.Length)];
            hash /= (uint)Alphabet.Length;
        }
        while (hash > 0 && length < chars.Length);

        return new string(chars[..length]);
    }
}
