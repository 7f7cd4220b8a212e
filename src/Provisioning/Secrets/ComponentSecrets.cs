using System.Security.Cryptography;
using k8s.Models;
using Portal.Domain.Catalog;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Naming;
using Portal.Domain.Stacks;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Infrastructure;
using Portal.Provisioning.Rendering;
using Portal.Provisioning.Rendering.Kinds;

namespace Portal.Provisioning.Secrets;

/// <summary>The <c>&lt;component&gt;-secrets</c> Secret of each component: the secret options the operator gave and the
/// values the portal generates when none is given.</summary>
/// <remarks>Key names are the renderers' (<see cref="OAuth2ProxyRenderer.ClientSecretKey"/>…), which are the option names.
/// Generated values are made once: they survive retries, reconfigures and redeploys of the same Secret.</remarks>
internal sealed class ComponentSecrets(ComponentCatalog catalog)
{
    /// <summary>Makes sure the component Secret holds every key the component's workloads read; returns null for a
    /// component that needs none. Secret options present in <paramref name="stack"/> replace the stored values.</summary>
    public async Task<V1Secret?> EnsureAsync(IClusterGateway cluster, StackSpec stack, string component, CancellationToken cancellationToken)
    {
        var recipe = RecipeFor(stack, component);
        return recipe.IsEmpty ? null : await ManagedSecrets.EnsureAsync(cluster, recipe, cancellationToken).ConfigureAwait(false);
    }

    public SecretRecipe RecipeFor(StackSpec stack, string component)
    {
        var spec = stack.Component(component);
        var kind = catalog.Get(spec.Kind);
        var known = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var generated = new SortedDictionary<string, Func<string>>(StringComparer.Ordinal);

        foreach (var option in kind.Options.Where(o => o.Secret))
        {
            if (spec.Config.TryGetValue(option.Name, out var value) && value.Length > 0)
            {
                known[option.Name] = value;
            }
            else if (option.Generated)
            {
                generated[option.Name] = GeneratorFor(kind.Name, option.Name);
            }
        }

        switch (kind.Name)
        {
            case MinioKind.Name:
                // MinIO reads user and password from one Secret; the user is a plain option, copied so both travel together.
                known[MinioRenderer.RootUserKey] = spec.Get(kind, "root-user") ?? "minio";
                break;
            case AirbyteWebhooksKind.Name:
                generated[WebhooksRenderer.SigningSecretKey] = () => PasswordGenerator.Generate(64);
                break;
            case PostgresqlKind.Name when spec.Get(kind, "mode") != PostgresqlKind.External:
                generated[PostgresqlRenderer.SuperuserPasswordKey] = () => PasswordGenerator.Generate();
                break;
        }

        return new SecretRecipe(stack.Namespace, ObjectNames.ComponentSecret(component), StackRenderer.Labels(stack, component), known, generated);
    }

    /// <summary>An oauth2-proxy cookie secret: 32 random bytes, URL-safe base64 (oauth2-proxy decodes it back to 32 bytes,
    /// the AES-256 key size it requires).</summary>
    public static string NewCookieSecret() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).Replace('+', '-').Replace('/', '_');

    private static Func<string> GeneratorFor(string kind, string option) =>
        kind == OAuth2ProxyKind.Name && option == OAuth2ProxyRenderer.CookieSecretKey
            ? NewCookieSecret
            : () => PasswordGenerator.Generate();
}
