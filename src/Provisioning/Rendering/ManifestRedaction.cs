using k8s;
using k8s.Models;

namespace Portal.Provisioning.Rendering;

/// <summary>Rendered objects as an operator may see them: YAML in which every Secret value reads <see cref="Mask"/>.</summary>
/// <remarks>The renderers reference secrets through secretKeyRef and emit no Secret values; this keeps it so if one ever does.</remarks>
internal static class ManifestRedaction
{
    public const string Mask = "<redacted>";

    /// <summary>The object with every value of a Secret replaced by <see cref="Mask"/> (as <c>stringData</c>, so the YAML shows
    /// the mask rather than its base64); other objects unchanged.</summary>
    public static IKubernetesObject<V1ObjectMeta> Redact(IKubernetesObject<V1ObjectMeta> obj)
    {
        if (obj is V1Secret secret && (secret.Data is { Count: > 0 } || secret.StringData is { Count: > 0 }))
        {
            var keys = (secret.Data?.Keys ?? []).Concat(secret.StringData?.Keys ?? []).Distinct(StringComparer.Ordinal);
            secret.StringData = keys.ToDictionary(key => key, _ => Mask, StringComparer.Ordinal);
            secret.Data = null;
        }

        return obj;
    }

    /// <summary>One redacted object as a YAML document, without a trailing newline.</summary>
    public static string Yaml(IKubernetesObject<V1ObjectMeta> obj) => KubernetesYaml.Serialize(Redact(obj)).TrimEnd();
}
