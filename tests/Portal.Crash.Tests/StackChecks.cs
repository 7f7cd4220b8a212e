using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Models;
using Portal.Domain.Naming;

namespace Portal.Crash.Tests;

/// <summary>What must hold of a deployed stack in the cluster whatever happened to the portal: every object it renders exists exactly
/// once (nothing made twice under a generated name, nothing of those kinds beyond its own), each relation has one Secret, and each
/// live TLS Secret holds a certificate with its own key.</summary>
internal static class StackChecks
{
    // The kinds whose objects the stack's manifests list; live objects of these kinds must match them one for one.
    private static readonly string[] RenderedKinds = ["Deployment", "StatefulSet", "Job", "Ingress", "Service"];

    private const string RevisionOfLabel = "portal.airbyte.io/revision-of";

    public static async Task AssertObjectsExactlyOnceAsync(IKubernetes client, string @namespace, string manifests, CancellationToken ct)
    {
        var expected = KubernetesYaml.LoadAllFromString(manifests)
            .OfType<IKubernetesObject<V1ObjectMeta>>()
            .Where(o => RenderedKinds.Contains(o.Kind))
            .Select(o => $"{o.Kind}/{o.Metadata.Name}")
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Contains(expected, k => k.StartsWith("Deployment/", StringComparison.Ordinal));

        var live = new List<IKubernetesObject<V1ObjectMeta>>();
        live.AddRange((await client.AppsV1.ListNamespacedDeploymentAsync(@namespace, cancellationToken: ct)).Items.Select(o => Kinded(o, "Deployment")));
        live.AddRange((await client.AppsV1.ListNamespacedStatefulSetAsync(@namespace, cancellationToken: ct)).Items.Select(o => Kinded(o, "StatefulSet")));
        live.AddRange((await client.BatchV1.ListNamespacedJobAsync(@namespace, cancellationToken: ct)).Items.Select(o => Kinded(o, "Job")));
        live.AddRange((await client.NetworkingV1.ListNamespacedIngressAsync(@namespace, cancellationToken: ct)).Items.Select(o => Kinded(o, "Ingress")));
        live.AddRange((await client.CoreV1.ListNamespacedServiceAsync(@namespace, cancellationToken: ct)).Items.Select(o => Kinded(o, "Service")));
        var secrets = (await client.CoreV1.ListNamespacedSecretAsync(@namespace, cancellationToken: ct)).Items;
        live.AddRange(secrets.Select(o => Kinded(o, "Secret")));

        // No object was made twice under a generated name, and each kind/name is there once.
        Assert.All(live, o => Assert.True(string.IsNullOrEmpty(o.Metadata.GenerateName), $"{o.Kind}/{o.Metadata.Name} has a generated name"));
        var keys = live.Select(o => $"{o.Kind}/{o.Metadata.Name}").ToList();
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());

        // The rendered workloads, Services and Ingresses are all there, and nothing else of those kinds; the only Jobs beyond the
        // rendered ones are the relations' own (buckets, databases), labelled with their relation.
        var rendered = keys.Where(k => RenderedKinds.Contains(k.Split('/')[0])).ToHashSet(StringComparer.Ordinal);
        var relationJobs = live.Where(o => o.Kind == "Job" && o.Metadata.Labels?.ContainsKey(PortalLabels.Relation) == true)
            .Select(o => $"Job/{o.Metadata.Name}").Where(k => !expected.Contains(k)).ToList();
        Assert.Equal(expected, rendered.Except(relationJobs).Order(StringComparer.Ordinal).ToList());

        // Each relation has exactly one live Secret (kept revisions are labelled with the Secret they are a revision of).
        var relationSecrets = secrets.Where(s => s.Metadata.Labels?.ContainsKey(PortalLabels.Relation) == true && s.Metadata.Labels?.ContainsKey(RevisionOfLabel) != true)
            .ToList();
        Assert.NotEmpty(relationSecrets);
        Assert.True(
            relationSecrets.Count == relationSecrets.Select(s => s.Metadata.Labels[PortalLabels.Relation]).Distinct(StringComparer.Ordinal).Count(),
            $"a relation has more than one Secret: {string.Join(", ", relationSecrets.Select(s => $"{s.Metadata.Name} ({s.Metadata.Labels[PortalLabels.Relation]})"))}");
    }

    /// <summary>Each live TLS Secret of the namespace holds a certificate and the key that goes with it.</summary>
    public static async Task<int> AssertTlsSecretsAsync(IKubernetes client, string @namespace, CancellationToken ct)
    {
        var tls = (await client.CoreV1.ListNamespacedSecretAsync(@namespace, cancellationToken: ct)).Items
            .Where(s => s.Type == "kubernetes.io/tls" && s.Metadata.Labels?.ContainsKey(RevisionOfLabel) != true && !s.Metadata.Name.Contains("-upload-", StringComparison.Ordinal))
            .ToList();
        foreach (var secret in tls)
        {
            string Value(string key) => secret.Data?.TryGetValue(key, out var bytes) == true ? Encoding.UTF8.GetString(bytes) : "";
            try
            {
                using var certificate = X509Certificate2.CreateFromPem(Value("tls.crt"), Value("tls.key"));
                Assert.True(certificate.HasPrivateKey, $"TLS Secret {@namespace}/{secret.Metadata.Name}: no private key");
            }
            catch (CryptographicException e)
            {
                Assert.Fail($"TLS Secret {@namespace}/{secret.Metadata.Name} does not hold a certificate with its key: {e.Message}");
            }
        }

        return tls.Count;
    }

    // List items come without their kind.
    private static IKubernetesObject<V1ObjectMeta> Kinded(IKubernetesObject<V1ObjectMeta> item, string kind)
    {
        item.Kind = kind;
        return item;
    }
}
