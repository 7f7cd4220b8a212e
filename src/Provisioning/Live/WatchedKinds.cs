using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;
using Portal.Domain.Catalog;
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
/// <param name="Name">What the status calls this list and watch: the kind, or the kind and the one name it follows.</param>
/// <param name="Selector">The label selector; null for Events, which are not labelled, and for a watch of one name.</param>
/// <param name="FieldSelector">For a watch of one name (a Secret a workload writes, which carries no label of the portal's).</param>
internal sealed record WatchedKind(
    string Name,
    string Kind,
    string? Selector,
    string? FieldSelector,
    Func<IKubernetes, string? /*continue*/, int /*limit*/, CancellationToken, Task<ListPage>> List,
    Func<IKubernetes, string /*resourceVersion*/, int /*timeoutSeconds*/, Action<Exception>, CancellationToken, IAsyncEnumerable<WatchItem>> Watch)
{
    public bool IsEvent => Kind == ObjectKinds.Event;

    /// <summary>Whether a cached object came from this list and watch: a fresh list replaces exactly those.</summary>
    public bool Owns(ObservedObject obj) =>
        obj.Kind == Kind && (FieldSelector is null
            ? obj.Label(PortalLabels.ManagedBy) == PortalLabels.ManagedByValue
            : FieldSelector == NameSelector(obj.Name) && obj.Label(PortalLabels.ManagedBy) != PortalLabels.ManagedByValue);

    public static string NameSelector(string name) => $"metadata.name={name}";
}

/// <summary>Every kind the portal creates (and what the cluster makes from them: ReplicaSets, Pods), plus Events.</summary>
/// <remarks>Objects are selected by the portal's managed-by label; the stack label then splits them per stack. The generated
/// <c>WatchList…ForAllNamespacesAsync</c> enumerables are used (the obsolete <c>Watch</c> extensions are not).</remarks>
internal static class WatchedKinds
{
    /// <summary>Every object the portal creates carries this label (and so do the ReplicaSets and Pods made from its templates).</summary>
    public const string PortalSelector = $"{PortalLabels.ManagedBy}={PortalLabels.ManagedByValue}";

    /// <summary>Every kind the portal's objects have, the Secrets its workloads write, and Events.</summary>
    public static IReadOnlyList<WatchedKind> All { get; } = [.. Labelled(), .. WorkloadSecrets(ComponentCatalog.Default), Events()];

    /// <summary>One watch per Secret a workload writes itself (Airbyte's bootloader writes <c>airbyte-auth-secrets</c>): such a
    /// Secret carries no label of the portal's, so it is followed by name, across namespaces; the stack of the namespace it is in
    /// owns it.</summary>
    public static IEnumerable<WatchedKind> WorkloadSecrets(ComponentCatalog catalog) =>
        catalog.Kinds.SelectMany(k => k.Secrets).Where(s => s.Source == SecretSource.Workload).Select(s => s.Name).Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(name => Define<V1Secret, V1SecretList>($"{ObjectKinds.Secret} {name}", ObjectKinds.Secret, null, WatchedKind.NameSelector(name),
                (k, s, f, c, l, ct) => k.CoreV1.ListSecretForAllNamespacesAsync(continueParameter: c, fieldSelector: f, labelSelector: s, limit: l, cancellationToken: ct),
                (k, s, f, rv, t, e, ct) => k.CoreV1.WatchListSecretForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: f, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
                KubeObservations.Secret));

    private static WatchedKind Events() =>
        Define<Corev1Event, Corev1EventList>(ObjectKinds.Event, ObjectKinds.Event, null, null,
            (k, s, f, c, l, ct) => k.CoreV1.ListEventForAllNamespacesAsync(continueParameter: c, fieldSelector: f, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, f, rv, t, e, ct) => k.CoreV1.WatchListEventForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: f, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            KubeObservations.Event);

    private static IEnumerable<WatchedKind> Labelled() =>
    [
        Define<V1Deployment, V1DeploymentList>(ObjectKinds.Deployment, ObjectKinds.Deployment, PortalSelector, null,
            (k, s, f, c, l, ct) => k.AppsV1.ListDeploymentForAllNamespacesAsync(continueParameter: c, fieldSelector: f, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, f, rv, t, e, ct) => k.AppsV1.WatchListDeploymentForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: f, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            KubeObservations.Deployment),
        Define<V1ReplicaSet, V1ReplicaSetList>(ObjectKinds.ReplicaSet, ObjectKinds.ReplicaSet, PortalSelector, null,
            (k, s, f, c, l, ct) => k.AppsV1.ListReplicaSetForAllNamespacesAsync(continueParameter: c, fieldSelector: f, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, f, rv, t, e, ct) => k.AppsV1.WatchListReplicaSetForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: f, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            KubeObservations.ReplicaSet),
        Define<V1StatefulSet, V1StatefulSetList>(ObjectKinds.StatefulSet, ObjectKinds.StatefulSet, PortalSelector, null,
            (k, s, f, c, l, ct) => k.AppsV1.ListStatefulSetForAllNamespacesAsync(continueParameter: c, fieldSelector: f, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, f, rv, t, e, ct) => k.AppsV1.WatchListStatefulSetForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: f, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            KubeObservations.StatefulSet),
        Define<V1Pod, V1PodList>(ObjectKinds.Pod, ObjectKinds.Pod, PortalSelector, null,
            (k, s, f, c, l, ct) => k.CoreV1.ListPodForAllNamespacesAsync(continueParameter: c, fieldSelector: f, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, f, rv, t, e, ct) => k.CoreV1.WatchListPodForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: f, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            KubeObservations.Pod),
        Define<V1Job, V1JobList>(ObjectKinds.Job, ObjectKinds.Job, PortalSelector, null,
            (k, s, f, c, l, ct) => k.BatchV1.ListJobForAllNamespacesAsync(continueParameter: c, fieldSelector: f, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, f, rv, t, e, ct) => k.BatchV1.WatchListJobForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: f, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            KubeObservations.Job),
        Define<V1Service, V1ServiceList>(ObjectKinds.Service, ObjectKinds.Service, PortalSelector, null,
            (k, s, f, c, l, ct) => k.CoreV1.ListServiceForAllNamespacesAsync(continueParameter: c, fieldSelector: f, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, f, rv, t, e, ct) => k.CoreV1.WatchListServiceForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: f, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            KubeObservations.Service),
        Define<V1Ingress, V1IngressList>(ObjectKinds.Ingress, ObjectKinds.Ingress, PortalSelector, null,
            (k, s, f, c, l, ct) => k.NetworkingV1.ListIngressForAllNamespacesAsync(continueParameter: c, fieldSelector: f, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, f, rv, t, e, ct) => k.NetworkingV1.WatchListIngressForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: f, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            KubeObservations.Ingress),
        Define<V1Secret, V1SecretList>(ObjectKinds.Secret, ObjectKinds.Secret, PortalSelector, null,
            (k, s, f, c, l, ct) => k.CoreV1.ListSecretForAllNamespacesAsync(continueParameter: c, fieldSelector: f, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, f, rv, t, e, ct) => k.CoreV1.WatchListSecretForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: f, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            KubeObservations.Secret),
        Define<V1ConfigMap, V1ConfigMapList>(ObjectKinds.ConfigMap, ObjectKinds.ConfigMap, PortalSelector, null,
            (k, s, f, c, l, ct) => k.CoreV1.ListConfigMapForAllNamespacesAsync(continueParameter: c, fieldSelector: f, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, f, rv, t, e, ct) => k.CoreV1.WatchListConfigMapForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: f, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            c => KubeObservations.From(c)!),
        Define<V1PersistentVolumeClaim, V1PersistentVolumeClaimList>(ObjectKinds.PersistentVolumeClaim, ObjectKinds.PersistentVolumeClaim, PortalSelector, null,
            (k, s, f, c, l, ct) => k.CoreV1.ListPersistentVolumeClaimForAllNamespacesAsync(continueParameter: c, fieldSelector: f, labelSelector: s, limit: l, cancellationToken: ct),
            (k, s, f, rv, t, e, ct) => k.CoreV1.WatchListPersistentVolumeClaimForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: f, labelSelector: s, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct),
            KubeObservations.Claim),
    ];

    private static WatchedKind Define<T, TList>(
        string name,
        string kind,
        string? selector,
        string? fieldSelector,
        Func<IKubernetes, string?, string?, string?, int, CancellationToken, Task<TList>> list,
        Func<IKubernetes, string?, string?, string, int, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch,
        Func<T, ObservedObject> convert)
        where T : IKubernetesObject<V1ObjectMeta>
        where TList : IMetadata<V1ListMeta>, IItems<T> =>
        new(
            name,
            kind,
            selector,
            fieldSelector,
            async (client, continueToken, limit, ct) =>
            {
                var page = await list(client, selector, fieldSelector, continueToken, limit, ct).ConfigureAwait(false);
                return new ListPage(
                    page.Items.Select(convert).ToList(),
                    page.Metadata?.ResourceVersion ?? "",
                    string.IsNullOrEmpty(page.Metadata?.ContinueProperty) ? null : page.Metadata.ContinueProperty);
            },
            (client, resourceVersion, timeoutSeconds, onError, ct) =>
                Map(watch(client, selector, fieldSelector, resourceVersion, timeoutSeconds, onError, ct), convert, ct));

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
