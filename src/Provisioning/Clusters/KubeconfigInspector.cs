using System.Globalization;
using System.Text;
using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;
using Portal.Domain.Common;
using Portal.Provisioning.Stacks;
using YamlDotNet.RepresentationModel;

namespace Portal.Provisioning.Clusters;

/// <summary>Reads a kubeconfig pasted by an operator and lists every problem at once, before anything uses it.</summary>
/// <remarks>KubernetesClient runs the program an <c>exec</c> or <c>auth-provider</c> entry names while it builds a client
/// configuration, so a kubeconfig from outside is inspected first and such entries are refused: the portal never runs a
/// program a pasted file names. Messages never quote the file's text, only names (context, cluster, user).</remarks>
internal static class KubeconfigInspector
{
    /// <summary>Kubeconfigs are a few kilobytes; anything far bigger is the wrong file.</summary>
    public const int MaxLength = 256 * 1024;

    private const string Flatten = "kubectl config view --raw --minify --flatten";

    public static KubeconfigInspection Inspect(string? kubeconfig, string? context)
    {
        var errors = new ErrorList();
        if (string.IsNullOrWhiteSpace(kubeconfig))
        {
            errors.Add("kubeconfig", $"Paste or upload a kubeconfig: the text of the file ({Flatten} prints it).");
            return new KubeconfigInspection([], null, errors);
        }

        if (kubeconfig.Length > MaxLength)
        {
            errors.Add("kubeconfig", $"The text is {kubeconfig.Length / 1024} KB; a kubeconfig is a few KB, so this is not the right file.");
            return new KubeconfigInspection([], null, errors);
        }

        if (ShapeProblem(kubeconfig) is { } shape)
        {
            errors.Add("kubeconfig", shape);
            return new KubeconfigInspection([], null, errors);
        }

        K8SConfiguration config;
        try
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(kubeconfig));
            config = KubernetesClientConfiguration.LoadKubeConfig(stream);
        }
        catch (Exception e) when (e is KubeConfigException or YamlDotNet.Core.YamlException or FormatException or ArgumentException or InvalidCastException)
        {
            // The parser's message can quote the file, and a kubeconfig holds credentials: say only what kind of problem it is.
            errors.Add("kubeconfig", "The text is YAML but not in the kubeconfig format (clusters, users and contexts lists, kind: Config).");
            return new KubeconfigInspection([], null, errors);
        }

        var contexts = (config.Contexts ?? []).Where(c => !string.IsNullOrWhiteSpace(c.Name)).ToList();
        if (contexts.Count == 0)
        {
            errors.Add("kubeconfig", "The kubeconfig has no contexts; a context names the cluster to reach and the user to connect as.");
            return new KubeconfigInspection([], null, errors);
        }

        var names = string.Join(", ", contexts.Select(c => $"'{c.Name}'"));
        string? selected = null;
        if (!string.IsNullOrWhiteSpace(context))
        {
            if (contexts.Any(c => c.Name == context))
            {
                selected = context;
            }
            else
            {
                errors.Add("context", $"The kubeconfig has no context '{context}'; it has {names}.");
            }
        }
        else if (!string.IsNullOrWhiteSpace(config.CurrentContext))
        {
            if (contexts.Any(c => c.Name == config.CurrentContext))
            {
                selected = config.CurrentContext;
            }
            else
            {
                errors.Add("context", $"The kubeconfig's current-context '{config.CurrentContext}' is not one of its contexts; choose one of {names}.");
            }
        }
        else if (contexts.Count == 1)
        {
            selected = contexts[0].Name;
        }
        else
        {
            errors.Add("context", $"The kubeconfig has {contexts.Count} contexts and no current-context; choose one of {names}.");
        }

        var views = contexts.Select(c => View(config, c)).ToList();
        if (selected is not null)
        {
            foreach (var problem in views.First(v => v.Name == selected).Problems)
            {
                errors.Add("kubeconfig", problem);
            }
        }

        return new KubeconfigInspection(views, selected, errors);
    }

    /// <summary>The client configuration of an inspected kubeconfig's selected context.</summary>
    /// <remarks>Only called once <see cref="Inspect"/> found nothing wrong, so no exec or auth-provider entry is in it.</remarks>
    public static Result<KubernetesClientConfiguration> Configuration(string kubeconfig, KubeconfigInspection inspection) =>
        inspection.IsValid
            ? ClusterConnector.FromKubeconfig(kubeconfig, inspection.Selected)
            : Result<KubernetesClientConfiguration>.Failure(inspection.Errors);

    /// <summary>The server URL without user info, query or fragment: a URL can carry a password, and the list shows it.</summary>
    public static string? SafeServer(string? server)
    {
        if (string.IsNullOrWhiteSpace(server) || !Uri.TryCreate(server.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            return null;
        }

        return uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped).TrimEnd('/');
    }

    /// <summary>YAML syntax and the top-level shape, with the line of a syntax error (never its text).</summary>
    private static string? ShapeProblem(string kubeconfig)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(kubeconfig));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            return $"The text is not valid YAML (line {e.Start.Line.ToString(CultureInfo.InvariantCulture)}); paste the whole kubeconfig file.";
        }

        if (stream.Documents.Count != 1)
        {
            return $"The text holds {stream.Documents.Count} YAML documents; a kubeconfig is exactly one.";
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return "The text is YAML but not a kubeconfig: a kubeconfig is a mapping with clusters, users and contexts.";
        }

        if (root.Children.TryGetValue(new YamlScalarNode("kind"), out var kind) && kind is YamlScalarNode { Value: { } value } && value != "Config")
        {
            // A kind is a word such as Deployment; anything else is not repeated back.
            var named = value.All(char.IsAsciiLetter) && value.Length <= 63 ? $"a {value}" : "another kind of object";
            return $"The text is {named}, not a kubeconfig (kind: Config).";
        }

        return null;
    }

    private static KubeconfigContext View(K8SConfiguration config, Context context)
    {
        var problems = new List<string>();
        var clusterName = context.ContextDetails?.Cluster ?? "";
        var userName = context.ContextDetails?.User ?? "";
        var cluster = (config.Clusters ?? []).FirstOrDefault(c => c.Name == clusterName);
        var user = (config.Users ?? []).FirstOrDefault(u => u.Name == userName);
        string? server = null;

        if (clusterName.Length == 0)
        {
            problems.Add($"Context '{context.Name}' names no cluster.");
        }
        else if (cluster?.ClusterEndpoint is not { } endpoint)
        {
            problems.Add($"Context '{context.Name}' names cluster '{clusterName}', which the kubeconfig does not define.");
        }
        else
        {
            server = SafeServer(endpoint.Server);
            if (string.IsNullOrWhiteSpace(endpoint.Server))
            {
                problems.Add($"Cluster '{clusterName}' has no server URL.");
            }
            else if (server is null)
            {
                problems.Add($"Cluster '{clusterName}' has a server that is not an https:// URL.");
            }

            if (!string.IsNullOrWhiteSpace(endpoint.CertificateAuthority) && string.IsNullOrWhiteSpace(endpoint.CertificateAuthorityData))
            {
                problems.Add($"Cluster '{clusterName}' refers to a certificate authority file on another machine (certificate-authority); embed it with {Flatten}.");
            }

            if (!IsBase64(endpoint.CertificateAuthorityData))
            {
                problems.Add($"Cluster '{clusterName}': certificate-authority-data is not base64.");
            }
        }

        if (userName.Length == 0)
        {
            problems.Add($"Context '{context.Name}' names no user, so the portal would have no credentials.");
        }
        else if (user is null)
        {
            problems.Add($"Context '{context.Name}' names user '{userName}', which the kubeconfig does not define.");
        }
        else
        {
            problems.AddRange(CredentialProblems(userName, user.UserCredentials));
        }

        // A client certificate or CA that does not load fails only when a client is built: build one to find out now.
        if (problems.Count == 0 && ClientProblem(config, context.Name, userName) is { } client)
        {
            problems.Add(client);
        }

        return new KubeconfigContext(context.Name, clusterName, server, userName, context.ContextDetails?.Namespace, context.Name == config.CurrentContext, problems);
    }

    private static IEnumerable<string> CredentialProblems(string userName, UserCredentials? credentials)
    {
        if (credentials?.ExternalExecution is { } exec)
        {
            var program = string.IsNullOrWhiteSpace(exec.Command) ? "a program" : $"'{Path.GetFileName(exec.Command)}'";
            yield return $"User '{userName}' gets its credentials by running {program} (an exec plugin); the portal does not run programs named in a kubeconfig. Use a service account token or a client certificate instead.";
            yield break;
        }

        if (credentials?.AuthProvider is { } provider)
        {
            yield return $"User '{userName}' uses the '{provider.Name}' auth-provider, which the portal does not support. Use a service account token or a client certificate instead.";
            yield break;
        }

        var hasToken = !string.IsNullOrWhiteSpace(credentials?.Token);
        var certificate = !string.IsNullOrWhiteSpace(credentials?.ClientCertificateData);
        var key = !string.IsNullOrWhiteSpace(credentials?.ClientKeyData);
        var basic = !string.IsNullOrWhiteSpace(credentials?.UserName);
        var files = new[] { ("client-certificate", credentials?.ClientCertificate), ("client-key", credentials?.ClientKey) }
            .Where(f => !string.IsNullOrWhiteSpace(f.Item2))
            .Select(f => f.Item1)
            .ToList();

        if (files.Count > 0 && !(certificate && key))
        {
            yield return $"User '{userName}' refers to files on another machine ({string.Join(", ", files)}); embed them with {Flatten}.";
        }

        if (certificate != key)
        {
            yield return certificate
                ? $"User '{userName}' has a client certificate but no client key (client-key-data)."
                : $"User '{userName}' has a client key but no client certificate (client-certificate-data).";
        }

        if (certificate && !IsBase64(credentials!.ClientCertificateData))
        {
            yield return $"User '{userName}': client-certificate-data is not base64.";
        }

        if (key && !IsBase64(credentials!.ClientKeyData))
        {
            yield return $"User '{userName}': client-key-data is not base64.";
        }

        if (basic && string.IsNullOrEmpty(credentials!.Password))
        {
            yield return $"User '{userName}' has a user name but no password.";
        }

        if (!hasToken && !certificate && !key && !basic && files.Count == 0)
        {
            yield return $"User '{userName}' has no credentials: give a token, a client certificate and key (client-certificate-data, client-key-data), or a user name and password.";
        }
    }

    private static string? ClientProblem(K8SConfiguration config, string context, string userName)
    {
        try
        {
            var configuration = KubernetesClientConfiguration.BuildConfigFromConfigObject(config, context);
            using var client = new Kubernetes(configuration);
            return null;
        }
#pragma warning disable CA1031 // Whatever the client library throws while loading certificates, the operator gets a sentence.
        catch (Exception)
#pragma warning restore CA1031
        {
            // The exception can quote PEM text: say which entries to look at, not what they hold.
            return $"The certificates of context '{context}' (certificate-authority-data, or user '{userName}''s client-certificate-data and client-key-data) could not be loaded: are they PEM, base64-encoded, and does the key match the certificate?";
        }
    }

    private static bool IsBase64(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text.Trim(), buffer, out _);
    }
}
