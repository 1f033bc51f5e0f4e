using Diagnostics.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Certificates;

/// <summary>Where the cloud keeps the certificates it makes: <c>Certificates:Directory</c>, or <c>certificates</c> beside the database.</summary>
public sealed class CertificateDirectory(IOptions<CertificateOptions> options, IOptions<StorageOptions> storage)
{
    public string Path { get; } = options.Value.Directory.Length > 0
        ? System.IO.Path.GetFullPath(options.Value.Directory)
        : System.IO.Path.Combine(storage.Value.DataFolder, "certificates");

    /// <summary>A file in the directory, the directory created if needed.</summary>
    public string File(string name)
    {
        Directory.CreateDirectory(Path);
        return System.IO.Path.Combine(Path, name);
    }
}
