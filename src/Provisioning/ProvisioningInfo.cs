namespace Portal.Provisioning;

/// <summary>What the provisioning layer runs on, in words for the operator (never a credential).</summary>
public sealed record ProvisioningInfo(string Storage, string JobStorage, bool IsEmbedded);
