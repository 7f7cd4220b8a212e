using Portal.Domain.Common;

namespace Portal.Domain.Plans;

/// <summary>What a teardown may delete beyond the stack's objects; by default it keeps every volume, database and the namespace.</summary>
public sealed record TeardownOptions
{
    private TeardownOptions(bool deleteVolumes, bool dropDatabases, bool deleteNamespace)
    {
        DeleteVolumes = deleteVolumes;
        DropDatabases = dropDatabases;
        DeleteNamespace = deleteNamespace;
    }

    /// <summary>Keep volumes, databases and the namespace: the stack can be deployed again onto the same data.</summary>
    public static TeardownOptions KeepData { get; } = new(false, false, false);

    /// <summary>Delete the persistent volume claims (MinIO's objects, an in-cluster PostgreSQL's data).</summary>
    public bool DeleteVolumes { get; }

    /// <summary>Drop each relation's database and login role (on the external server too).</summary>
    public bool DropDatabases { get; }

    /// <summary>Delete the namespace once everything else is gone.</summary>
    public bool DeleteNamespace { get; }

    public static Result<TeardownOptions> Create(bool deleteVolumes, bool dropDatabases, bool deleteNamespace)
    {
        var errors = new ErrorList();

        // Kubernetes deletes every object in a namespace with it, volume claims included: keeping the volumes while
        // deleting the namespace is a promise the teardown could not keep.
        if (deleteNamespace && !deleteVolumes)
        {
            errors.Add("delete-namespace", "Deleting the namespace deletes the volumes in it too: also choose to delete the volumes, or keep the namespace.");
        }

        return errors.ToResult(() => new TeardownOptions(deleteVolumes, dropDatabases, deleteNamespace));
    }
}
