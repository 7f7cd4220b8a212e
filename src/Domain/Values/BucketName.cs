using Portal.Domain.Common;

namespace Portal.Domain.Values;

/// <summary>An S3/MinIO bucket name: 3 to 63 lower-case letters, digits, '-' and '.', starting and ending with a letter
/// or digit, not shaped like an IP address.</summary>
public sealed record BucketName
{
    public const int MinLength = 3;
    public const int MaxLength = 63;

    private BucketName(string value) => Value = value;

    public string Value { get; }

    public static Result<BucketName> TryCreate(string? text)
    {
        var value = text?.Trim() ?? "";
        if (value.Length == 0)
        {
            return Errors.Fail<BucketName>("A bucket name is needed: 3 to 63 lower-case letters, digits, '-' and '.'.");
        }

        var messages = new List<string>();
        DnsNames.CheckLabel(value, MaxLength, messages, allowDots: true);
        if (value.Length < MinLength)
        {
            messages.Add($"{Show.QuoteStart(value)} is too short; a bucket name has at least {MinLength} characters.");
        }

        if (messages.Count == 0 && IpText.LooksLikeIPv4(value))
        {
            messages.Add($"{Show.QuoteStart(value)} looks like an IP address, which a bucket name may not.");
        }

        return Errors.Finish(messages, () => new BucketName(value));
    }

    public override string ToString() => Value;
}
