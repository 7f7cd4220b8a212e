using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;
using Portal.Domain.Naming;
using Portal.Domain.Status.Observation;
using Portal.Provisioning.Observation;

namespace Portal.Provisioning.Live;

/// <summary>One page of a list: the objects as observations and where the list stands.</summary>
internal sealed record ListPage(IReadOnlyList<ObservedObject> Items, string ResourceVersion, string? Continue);

/// <summary>One watch event as the cache needs it: what happened, the object as an observation (none for a bookmark), and the
/// resourceVersion to resume from.</summary>
internal readonly record struct WatchItem(WatchEventType Type, ObservedObject? Object, string? ResourceVersion);

/// <summary>How to list and watch one kind across every namespace, converting what arrives to observation records at once.</summary>
/// <param name="Selector">The label selector; null for Events, which are not labelled.</param>
internal sealed record WatchedKind(
    string Kind,
    string? Selector,
    Func<IKubernetes, string? /*continue*/, int /*limit*/, CancellationToken, Task<ListPage>> List,
    Func<IKubernetes, string /*resourceVersion*/, int /*timeoutSeconds*/, Action<Exception>, CancellationToken, IAsyncEnumerable<WatchItem>> Watch)
{
    public bool IsEvent => Kind == ObjectKinds.Event;
}

/// <summary>Every kind the portal creates (and what the cluster makes from them: ReplicaSets, Pods), plus Events.</summary>
/// <remarks>Objects are selected by the portal's managed-by label; the stack label then splits them per stack. The generated
/// <c>WatchList…ForAllNamespacesAsync</c> enumerables are used (the obsolete <c>Watch</c> extensions are not).</remarks>
internal static class WatchedKinds
{
    /// <summary>Every object the portal creates carries this label (and so do the ReplicaSets and Pods made from its templates).</summary>
    public const string PortalSelector = $"{PortalLabels.ManagedBy}={PortalLabels.ManagedByValue}";

    public static IReadOnlyList<WatchedKind> All { get; } =
    [
        Define<V1Deployment, V1DeploymentList>(ObjectKinds.Deployment, PortalSelector,
            (k, s, c, l, ct) => k.AppsV1.ListDeploymentForAllNamespacesAsync(continueParameter: c, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, rv, t, e, ct) => k.AppsV1.WatchListDeploymentForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            KubeObservations.Deployment),
        Define<V1ReplicaSet, V1ReplicaSetList>(ObjectKinds.ReplicaSet, PortalSelector,
            (k, s, c, l, ct) => k.AppsV1.ListReplicaSetForAllNamespacesAsync(continueParameter: c, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, rv, t, e, ct) => k.AppsV1.WatchListReplicaSetForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            KubeObservations.ReplicaSet),
        Define<V1StatefulSet, V1StatefulSetList>(ObjectKinds.StatefulSet, PortalSelector,
            (k, s, c, l, ct) => k.AppsV1.ListStatefulSetForAllNamespacesAsync(continueParameter: c, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, rv, t, e, ct) => k.AppsV1.WatchListStatefulSetForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            KubeObservations.StatefulSet),
        Define<V1Pod, V1PodList>(ObjectKinds.Pod, PortalSelector,
            (k, s, c, l, ct) => k.CoreV1.ListPodForAllNamespacesAsync(continueParameter: c, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, rv, t, e, ct) => k.CoreV1.WatchListPodForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            KubeObservations.Pod),
        Define<V1Job, V1JobList>(ObjectKinds.Job, PortalSelector,
            (k, s, c, l, ct) => k.BatchV1.ListJobForAllNamespacesAsync(continueParameter: c, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, rv, t, e, ct) => k.BatchV1.WatchListJobForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            KubeObservations.Job),
        Define<V1Service, V1ServiceList>(ObjectKinds.Service, PortalSelector,
            (k, s, c, l, ct) => k.CoreV1.ListServiceForAllNamespacesAsync(continueParameter: c, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, rv, t, e, ct) => k.CoreV1.WatchListServiceForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            KubeObservations.Service),
        Define<V1Ingress, V1IngressList>(ObjectKinds.Ingress, PortalSelector,
            (k, s, c, l, ct) => k.NetworkingV1.ListIngressForAllNamespacesAsync(continueParameter: c, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, rv, t, e, ct) => k.NetworkingV1.WatchListIngressForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            KubeObservations.Ingress),
        Define<V1Secret, V1SecretList>(ObjectKinds.Secret, PortalSelector,
            (k, s, c, l, ct) => k.CoreV1.ListSecretForAllNamespacesAsync(continueParameter: c, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, rv, t, e, ct) => k.CoreV1.WatchListSecretForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            KubeObservations.Secret),
        Define<V1ConfigMap, V1ConfigMapList>(ObjectKinds.ConfigMap, PortalSelector,
            (k, s, c, l, ct) => k.CoreV1.ListConfigMapForAllNamespacesAsync(continueParameter: c, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, rv, t, e, ct) => k.CoreV1.WatchListConfigMapForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            c => KubeObservations.From(c)!),
        Define<V1PersistentVolumeClaim, V1PersistentVolumeClaimList>(ObjectKinds.PersistentVolumeClaim, PortalSelector,
            (k, s, c, l, ct) => k.CoreV1.ListPersistentVolumeClaimForAllNamespacesAsync(continueParameter: c, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, rv, t, e, ct) => k.CoreV1.WatchListPersistentVolumeClaimForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            KubeObservations.Claim),
        Define<Corev1Event, Corev1EventList>(ObjectKinds.Event, null,
            (k, s, c, l, ct) => k.CoreV1.ListEventForAllNamespacesAsync(continueParameter: c, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, rv, t, e, ct) => k.CoreV1.WatchListEventForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            KubeObservations.Event),
    ];

    private static WatchedKind Define<T, TList>(
        string kind,
        string? selector,
        Func<IKubernetes, string?, string?, int, CancellationToken, Task<TList>> list,
        Func<IKubernetes, string?, string, int, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch,
        Func<T, ObservedObject> convert)
        where T : IKubernetesObject<V1ObjectMeta>
        where TList : IMetadata<V1ListMeta>, IItems<T> =>
        new(
            kind,
            selector,
            async (client, continueToken, limit, ct) =>
            {
                var page = await list(client, selector, continueToken, limit, ct).ConfigureAwait(false);
                return new ListPage(
                    page.Items.Select(convert).ToList(),
                    page.Metadata?.ResourceVersion ?? "",
                    string.IsNullOrEmpty(page.Metadata?.ContinueProperty) ? null : page.Metadata.ContinueProperty);
            },
            (client, resourceVersion, timeoutSeconds, onError, ct) =>
                Map(watch(client, selector, resourceVersion, timeoutSeconds, onError, ct), convert, ct));

    // The KubernetesClient object lives only for this conversion: the cache keeps the observation (no Secret value).
    private static async IAsyncEnumerable<WatchItem> Map<T>(
        IAsyncEnumerable<(WatchEventType Type, T Object)> events, Func<T, ObservedObject> convert, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        await foreach (var (type, obj) in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var resourceVersion = obj?.Metadata?.ResourceVersion;
            yield return type switch
            {
                WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted when obj?.Metadata is not null =>
                    new WatchItem(type, convert(obj), resourceVersion),
                _ => new WatchItem(type, null, resourceVersion),
            };
        }
    }
}
