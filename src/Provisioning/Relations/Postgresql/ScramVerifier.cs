using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Provisioning.Relations.Postgresql;

/// <summary>Turns a password into the SCRAM-SHA-256 verifier PostgreSQL stores, so the password itself never reaches the server.</summary>
/// <remarks>
/// <para>Why: <c>CREATE ROLE … PASSWORD 'text'</c> puts the clear password into the statement, where
/// <c>log_statement = ddl</c> (common on managed servers), <c>pg_stat_activity</c> and error reports can show it; the
/// PostgreSQL manual warns about exactly this. A pre-hashed verifier is stored as given, the way <c>psql \password</c>
/// and <c>createuser -P</c> send it (libpq's <c>PQencryptPasswordConn</c>). PostgreSQL 10+ accepts it whatever
/// <c>password_encryption</c> says, and <c>md5</c> lines in <c>pg_hba.conf</c> fall back to SCRAM for such roles.</para>
/// <para>Format (RFC 5802/7677, PostgreSQL's <c>scram_build_secret</c>):
/// <c>SCRAM-SHA-256$&lt;iterations&gt;:&lt;salt&gt;$&lt;StoredKey&gt;:&lt;ServerKey&gt;</c>, base64, 16-byte random salt.</para>
/// <para>Normalisation: the password is NFKC-normalised before hashing, as Npgsql does when it logs in. That equals
/// SASLprep (what libpq and the JDBC driver apply) for ASCII, which covers every password the portal generates, and for
/// nearly all other text; it differs only for characters SASLprep maps to nothing or rejects (e.g. a soft hyphen).</para>
/// </remarks>
internal static class ScramVerifier
{
    /// <summary>PostgreSQL's default (<c>scram_iterations</c>).</summary>
    public const int Iterations = 4096;

    private const int SaltBytes = 16;

    public static string Create(string password) => Create(password, RandomNumberGenerator.GetBytes(SaltBytes), Iterations);

    internal static string Create(string password, byte[] salt, int iterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var normalized = password.Normalize(NormalizationForm.FormKC);
        var saltedPassword = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(normalized), salt, iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(saltedPassword, "Client Key"u8);
        var storedKey = SHA256.HashData(clientKey);
        var serverKey = HMACSHA256.HashData(saltedPassword, "Server Key"u8);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"SCRAM-SHA-256${iterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}");
    }
}
