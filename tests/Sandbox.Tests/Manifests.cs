using k8s.Models;

namespace Portal.Sandbox.Tests;

/// <summary>Objects the tests create.</summary>
public static class Manifests
{
    public static V1Deployment Deployment(string name, int replicas, string image = "nginx:1.25", IDictionary<string, string>? annotations = null, bool probe = true) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name }, Annotations = annotations },
                Spec = new V1PodSpec
                {
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "main",
                            Image = image,
                            Ports = [new V1ContainerPort { ContainerPort = 8080, Name = "http" }],
                            ReadinessProbe = probe ? new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/", Port = 8080 } } : null,
                        },
                    ],
                },
            },
        },
    };

    /// <summary>(group, version, plural, namespaced, JSON body) for every served resource.</summary>
    public static TheoryData<string, string, string, bool, string> AllKinds() => new()
    {
        { "", "v1", "namespaces", false, """{"metadata":{"name":"crud-ns"}}""" },
        { "", "v1", "configmaps", true, """{"metadata":{"name":"x"},"data":{"a":"b"}}""" },
        { "", "v1", "secrets", true, """{"metadata":{"name":"x"},"stringData":{"a":"b"}}""" },
        { "", "v1", "services", true, """{"metadata":{"name":"x"},"spec":{"ports":[{"port":80}]}}""" },
        { "", "v1", "serviceaccounts", true, """{"metadata":{"name":"x"}}""" },
        { "", "v1", "persistentvolumeclaims", true, """{"metadata":{"name":"x"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}""" },
        { "", "v1", "pods", true, """{"metadata":{"name":"x"},"spec":{"containers":[{"name":"c","image":"busybox:1"}]}}""" },
        { "", "v1", "events", true, """{"metadata":{"name":"x"},"involvedObject":{"kind":"Pod","name":"p"},"reason":"Test","message":"hello","type":"Normal"}""" },
        { "", "v1", "endpoints", true, """{"metadata":{"name":"x"}}""" },
        { "", "v1", "resourcequotas", true, """{"metadata":{"name":"x"},"spec":{"hard":{"pods":"10"}}}""" },
        { "apps", "v1", "deployments", true, """{"metadata":{"name":"x"},"spec":{"replicas":0,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"nginx:1"}]}}}}""" },
        { "apps", "v1", "statefulsets", true, """{"metadata":{"name":"x"},"spec":{"replicas":0,"serviceName":"x","selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"nginx:1"}]}}}}""" },
        { "apps", "v1", "replicasets", true, """{"metadata":{"name":"x"},"spec":{"replicas":0,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"nginx:1"}]}}}}""" },
        { "batch", "v1", "jobs", true, """{"metadata":{"name":"x"},"spec":{"suspend":true,"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox:1"}]}}}}""" },
        { "networking.k8s.io", "v1", "ingresses", true, """{"metadata":{"name":"x"},"spec":{"rules":[{"host":"a.example.com"}]}}""" },
        { "networking.k8s.io", "v1", "ingressclasses", false, """{"metadata":{"name":"crud-class"},"spec":{"controller":"k8s.io/ingress-nginx"}}""" },
        { "storage.k8s.io", "v1", "storageclasses", false, """{"metadata":{"name":"crud-sc"},"provisioner":"example.com/x"}""" },
        { "rbac.authorization.k8s.io", "v1", "roles", true, """{"metadata":{"name":"x"},"rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get"]}]}""" },
        { "rbac.authorization.k8s.io", "v1", "rolebindings", true, """{"metadata":{"name":"x"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"x"},"subjects":[{"kind":"ServiceAccount","name":"default"}]}""" },
    };
}
